// leakwatch-fixture-server: the tests' FixtureServer as a program, for ops/demo and the
// end-to-end scripts.
//
//   leakwatch-fixture-server --root DIR [--port N] [--port-file F]
//
// Serves DIR (and the built-in endpoints listed in fixture_server.h) on 127.0.0.1,
// prints the port on stdout (or writes it to F, atomically, so a script can wait for
// the file), and serves until SIGTERM or SIGINT. Exit status: 0 after a signal, 2 on
// a usage error, 1 when the port cannot be bound.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

#include "tests/fixture_server/fixture_server.h"

namespace {

int Usage(const std::string& why) {
  std::cerr << "leakwatch-fixture-server: " << why << "\n"
            << "usage: leakwatch-fixture-server --root DIR [--port N] [--port-file F]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  lw::FixtureServerOptions options;
  std::string port_file;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      Usage("a test HTTP server");
      return 0;
    }
    if (i + 1 >= argc) return Usage("missing value for " + std::string(arg));
    std::string value = argv[++i];
    if (arg == "--root") {
      options.root = value;
    } else if (arg == "--port") {
      char* end = nullptr;
      long port = std::strtol(value.c_str(), &end, 10);
      if (*end != '\0' || port < 0 || port > 65535) return Usage("bad port '" + value + "'");
      options.port = static_cast<int>(port);
    } else if (arg == "--port-file") {
      port_file = value;
    } else {
      return Usage("unknown option " + std::string(arg));
    }
  }
  if (options.root.empty()) return Usage("--root is required");

  // Block the stop signals before any thread starts so that only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  lw::FixtureServer server(options);
  if (auto s = server.Start(); !s) {
    std::cerr << "leakwatch-fixture-server: " << s.error().message << "\n";
    return 1;
  }
  if (port_file.empty()) {
    std::cout << server.port() << std::endl;
  } else {
    std::string tmp = port_file + ".tmp";
    std::ofstream(tmp) << server.port() << "\n";
    if (std::rename(tmp.c_str(), port_file.c_str()) != 0) {
      std::perror(port_file.c_str());
      return 1;
    }
  }
  int sig = 0;
  sigwait(&stop_signals, &sig);
  server.Stop();
  return 0;
}
