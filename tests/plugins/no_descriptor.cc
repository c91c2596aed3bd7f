// A shared library in the plugin directory that is not a hades plugin: it exports nothing the
// host looks for. Loading it must fail with exit 4 and say what is missing.
extern "C" __attribute__((visibility("default"))) int no_descriptor_marker() { return 42; }
