// leakwatch: tells a security team when the accounts it protects show up in a leak.
// The interface is ../shared/contract.md, documented in README.md.
#include <cstdio>

#include "build_version.h"  // generated: ops/packaging/version.cmake
#include "cli/commands.h"

int main(int argc, char** argv) {
  using namespace lw::cli;
  // Named, so that help reads "Usage: leakwatch ..." whatever the path (the man page is made from it).
  CLI::App app{"leakwatch: find the identifiers you protect in leaks, pastes and broker samples", "leakwatch"};
  app.set_version_flag("--version", "leakwatch " LEAKWATCH_VERSION " (git " LEAKWATCH_GIT_DESCRIBE ")");
  app.require_subcommand(1);

  // Where the data and configuration live (see Context::Make for defaults).
  GlobalFlags flags;
  app.add_option("--data", flags.data_dir, "data directory (env LEAKWATCH_DATA)");
  app.add_option("--config", flags.config_path, "configuration file (env LEAKWATCH_CONFIG)");

  // Set up: a data directory, a store and a secret key.
  Action action;
  RegisterInit(app, flags, &action);
  // Watchlists: what to protect, stored as keyed hashes only.
  RegisterEnroll(app, flags, &action);
  RegisterUnenroll(app, flags, &action);
  RegisterWatchlists(app, flags, &action);
  RegisterHash(app, flags, &action);
  // Finding: scan local dumps, crawl paste sites and broker listings.
  RegisterScan(app, flags, &action);
  RegisterCrawl(app, flags, &action);
  RegisterSources(app, flags, &action);
  RegisterMetrics(app, flags, &action);  // for Prometheus (node_exporter's textfile collector)
  // Reporting: what was found, when and where.
  RegisterHistory(app, flags, &action);
  RegisterExposures(app, flags, &action);
  // Alerts: the outbox that carries each new exposure to the team.
  RegisterAlerts(app, flags, &action);
  // Operations: statistics, retention, backup and restore.
  RegisterOps(app, flags, &action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  return action ? action() : kExitUsage;
}
