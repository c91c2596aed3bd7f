#include "cli.h"

int main(int argc, char** argv) { return hades::run_cli(argc, argv); }
