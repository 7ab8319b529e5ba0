// leakwatch scan: filled in with the matcher.
#include "cli/commands.h"

namespace lw::cli {
void RegisterScan(CLI::App&, const GlobalFlags&, Action*) {}
}  // namespace lw::cli
