#define BOOST_TEST_MODULE plugin_loader_test
#include "plugin_loader.h"

#include <elf.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "hades/page.h"
#include "process.h"
#include "test_support.h"

namespace hades {
namespace {

PluginRegistry registry() {
  return PluginRegistry({testing::test_plugin_dir(), std::getenv("HADES_PLUGIN_DIR")});
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

BOOST_AUTO_TEST_CASE(refuses_another_api_version_naming_both_sides) {
  PluginRegistry plugins = registry();
  auto loaded = plugins.load("bad_api_source");
  BOOST_REQUIRE(!loaded.ok());
  BOOST_TEST(loaded.status().code() == StatusCode::kPluginAbi);
  const std::string message = loaded.status().message();
  BOOST_TEST(contains(message, "plugin API 99.0"), message);
  BOOST_TEST(
      contains(message, "API " + std::to_string(kApiMajor) + "." + std::to_string(kApiMinor)),
      message);
  BOOST_TEST(contains(message, "rebuild"), message);
}

BOOST_AUTO_TEST_CASE(refuses_a_library_without_the_descriptor) {
  PluginRegistry plugins = registry();
  auto loaded = plugins.load("no_descriptor");
  BOOST_TEST(loaded.status().code() == StatusCode::kPluginAbi);
  BOOST_TEST(contains(loaded.status().message(), "hades_plugin_descriptor"));
}

BOOST_AUTO_TEST_CASE(refuses_a_kind_this_host_does_not_know) {
  PluginRegistry plugins = registry();
  auto loaded = plugins.load("unknown_kind");
  BOOST_TEST(loaded.status().code() == StatusCode::kPluginAbi);
  BOOST_TEST(contains(loaded.status().message(), "unknown kind 99"), loaded.status().message());
}

BOOST_AUTO_TEST_CASE(a_page_loads_as_the_fifth_kind) {
  PluginRegistry plugins = registry();
  auto info = plugins.load("echo_page");
  BOOST_REQUIRE_MESSAGE(info.ok(), info.status().to_string());
  BOOST_TEST(plugin_kind_name((*info)->kind) == "page");
  BOOST_TEST(static_cast<int>((*info)->kind) == 4);  // appended: the older kinds keep 0..3
  BOOST_TEST(page_mount((*info)->name) == "/echo/");
  BOOST_TEST(page_mount("calibration_page") == "/calibration/");
  BOOST_TEST(page_mount("status") == "/status/");
}

BOOST_AUTO_TEST_CASE(an_unknown_plugin_lists_the_known_ones) {
  PluginRegistry plugins = registry();
  auto loaded = plugins.load("csv_sorce");
  BOOST_TEST(loaded.status().code() == StatusCode::kInvalidConfig);
  BOOST_TEST(contains(loaded.status().message(), "csv_source"), loaded.status().message());
}

// Where the last loadable segment of the ELF library `path` ends.
std::uintmax_t loadable_end(const std::string& path) {
  const std::string bytes = testing::read_file(path);
  Elf64_Ehdr header{};
  std::memcpy(&header, bytes.data(), sizeof header);
  std::uintmax_t end = 0;
  for (unsigned i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr segment{};
    std::memcpy(&segment, bytes.data() + header.e_phoff + i * sizeof segment, sizeof segment);
    if (segment.p_type == PT_LOAD) end = std::max(end, segment.p_offset + segment.p_filesz);
  }
  return end;
}

// A copy of the real csv_source library cut to `size` bytes (or replaced by `bytes`), alone in a
// plugin directory of its own.
struct DamagedPlugin {
  testing::TempDir dir;
  std::string path = dir.file("hades_csv_source.so");
  explicit DamagedPlugin(std::uintmax_t size) {
    std::filesystem::copy_file(
        std::string(std::getenv("HADES_PLUGIN_DIR")) + "/hades_csv_source.so", path);
    std::filesystem::resize_file(path, size);
  }
  explicit DamagedPlugin(const std::string& bytes) { testing::write_file(path, bytes); }
};

// Before dlopen() checked the file, a truncated library killed the process with SIGBUS.
BOOST_AUTO_TEST_CASE(refuses_a_truncated_or_corrupt_library_naming_the_file) {
  // Debug sections after the loadable segments are never mapped: cut inside the segments.
  const std::uintmax_t loaded_bytes =
      loadable_end(std::string(std::getenv("HADES_PLUGIN_DIR")) + "/hades_csv_source.so");
  BOOST_REQUIRE(loaded_bytes > 8192);
  for (const std::uintmax_t size : {loaded_bytes - 1, loaded_bytes / 2, std::uintmax_t{8192},
                                    std::uintmax_t{100}, std::uintmax_t{0}}) {
    DamagedPlugin damaged(size);
    PluginRegistry plugins({damaged.dir.path()});
    auto loaded = plugins.load("csv_source");
    BOOST_TEST(loaded.status().code() == StatusCode::kPluginAbi, size);
    BOOST_TEST(contains(loaded.status().message(), damaged.path), loaded.status().message());
  }
  for (const std::string& bytes :
       {std::string("#!/bin/sh\necho not a library\n"), std::string("\x7f"
                                                                    "ELF") +
                                                            std::string(60, '\xff')}) {
    DamagedPlugin damaged(bytes);
    PluginRegistry plugins({damaged.dir.path()});
    auto loaded = plugins.load("csv_source");
    BOOST_TEST(loaded.status().code() == StatusCode::kPluginAbi);
    BOOST_TEST(contains(loaded.status().message(), damaged.path), loaded.status().message());
  }
}

BOOST_AUTO_TEST_CASE(an_unknown_plugin_names_the_directories_searched) {
  testing::TempDir empty;
  PluginRegistry plugins({empty.path(), testing::test_plugin_dir()});
  auto loaded = plugins.load("nosuch_source");
  BOOST_TEST(loaded.status().code() == StatusCode::kInvalidConfig);
  BOOST_TEST(contains(loaded.status().message(),
                      "searched " + empty.path() + ", " + testing::test_plugin_dir()),
             loaded.status().message());
}

BOOST_AUTO_TEST_CASE(a_plugin_object_keeps_its_library_loaded) {
  std::unique_ptr<PluginInstance<Plugin>> instance;
  {
    PluginRegistry plugins = registry();
    auto info = plugins.load("csv_source");
    BOOST_REQUIRE_MESSAGE(info.ok(), info.status().to_string());
    BOOST_TEST((*info)->name == "csv_source");
    BOOST_TEST(plugin_kind_name((*info)->kind) == "source");
    BOOST_TEST((*info)->api_major == kApiMajor);
    BOOST_TEST(!(*info)->settings.empty());
    testing::TempDir dir;
    testing::write_file(dir.file("in.csv"), "id\n1\n");
    Settings settings;
    settings.set("path", dir.file("in.csv"));  // the factory checks that it can be read
    auto made = plugins.create("csv_source", settings);
    BOOST_REQUIRE_MESSAGE(made.ok(), made.status().to_string());
    instance = std::make_unique<PluginInstance<Plugin>>(std::move(made).value());
  }  // the registry is gone; the object and its code must still be usable
  BOOST_TEST(dynamic_cast<Source*>((*instance).get()) != nullptr);
  instance.reset();
}

BOOST_AUTO_TEST_CASE(the_same_library_is_loaded_once) {
  PluginRegistry plugins = registry();
  auto first = plugins.load("csv_source");
  auto second = plugins.load("csv_source");
  BOOST_REQUIRE(first.ok());
  BOOST_TEST(*first == *second);
}

}  // namespace
}  // namespace hades
