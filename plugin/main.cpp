// kubectl-certplane: parses the command line and hands over to RunCommand
// (commands.h). kubectl finds it on PATH and runs it as `kubectl certplane ...`.
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "args.h"
#include "commands.h"

namespace {

int Main(int argc, char** argv) {
  using namespace certplane::plugin;  // NOLINT(google-build-using-namespace)
  // The kube runtime logs through spdlog to stderr; a command-line tool shows only
  // problems, and its own messages say what happened.
  spdlog::set_level(spdlog::level::warn);
  std::vector<std::string> args(argv + 1, argv + argc);
  auto invocation = ParseArgs(args);
  if (!invocation.ok()) {
    std::cerr << "error: " << invocation.status().message() << "\n" << HelpHint(FirstCommandWord(args)) << "\n";
    return kExitUsage;
  }
  if (invocation->help) {
    std::cout << CommandHelp(invocation->command);
    return kExitOk;
  }
  if (invocation->command == Command::kNone) {
    std::cerr << Usage();
    return kExitUsage;
  }
  return RunCommand(*invocation, std::cout, std::cerr);
}

}  // namespace

int main(int argc, char** argv) {
  // Commands report failures as Status; an exception reaching main is a bug or an
  // allocation failure. Name it and exit with the plugin's error code.
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "error: unexpected: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "error: unexpected error of an unknown type\n";
  }
  return certplane::plugin::kExitFailed;
}
