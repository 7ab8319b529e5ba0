// Subcommands. Each Register* adds one subcommand (its flags and a callback) to the
// CLI11 app; the callback stores the action to run in *action, which main() runs after
// parsing. Actions return the process exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "cli/context.h"

namespace lw::cli {

using Action = std::function<int()>;

void RegisterInit(CLI::App& app, const GlobalFlags& flags, Action* action);
void RegisterEnroll(CLI::App& app, const GlobalFlags& flags, Action* action);
void RegisterUnenroll(CLI::App& app, const GlobalFlags& flags, Action* action);
void RegisterWatchlists(CLI::App& app, const GlobalFlags& flags, Action* action);
void RegisterHash(CLI::App& app, const GlobalFlags& flags, Action* action);
void RegisterHistory(CLI::App& app, const GlobalFlags& flags, Action* action);
void RegisterExposures(CLI::App& app, const GlobalFlags& flags, Action* action);
void RegisterScan(CLI::App& app, const GlobalFlags& flags, Action* action);
void RegisterCrawl(CLI::App& app, const GlobalFlags& flags, Action* action);
void RegisterSources(CLI::App& app, const GlobalFlags& flags, Action* action);
void RegisterMetrics(CLI::App& app, const GlobalFlags& flags, Action* action);
void RegisterAlerts(CLI::App& app, const GlobalFlags& flags, Action* action);
void RegisterOps(CLI::App& app, const GlobalFlags& flags, Action* action);

}  // namespace lw::cli
