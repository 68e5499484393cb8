#include "ipvsd/config_test.h"

#include "conf/config.h"
#include "conf/dump.h"

#include <net/if.h>
#include <sys/utsname.h>

#include <fstream>
#include <ostream>

namespace ipvsd {

namespace {

conf::ParseResult parse(const DaemonOptions& options) {
    conf::ParseOptions po;
    po.configId = options.configId.value_or(defaultConfigId());
    po.interfaceExists = [](std::string_view name) {
        return ::if_nametoindex(std::string(name).c_str()) != 0;
    };
    return conf::parseFile(options.configFile, po);
}

void printDiagnostics(const conf::ParseResult& result, std::ostream& err) {
    for (const auto& d : result.diagnostics.items())
        if (d.severity != conf::Severity::Info) err << result.diagnostics.format(d) << '\n';
}

}  // namespace

std::string defaultConfigId() {
    struct utsname u {};
    if (::uname(&u) != 0) return {};
    std::string name = u.nodename;
    return name.substr(0, name.find('.'));  // keepalived uses the host name up to the first '.'

}

int runConfigTest(const DaemonOptions& options, std::ostream& out, std::ostream& err) {
    auto result = parse(options);
    if (options.configTestLog) {
        std::ofstream log(*options.configTestLog, std::ios::app);
        if (log) {
            printDiagnostics(result, log);
        } else {
            err << "Unable to open config test log file '" << *options.configTestLog << "'\n";
            printDiagnostics(result, err);
        }
    } else {
        printDiagnostics(result, err);
    }
    (void)out;
    return result.ok() ? 0 : kExitConfigTestFailed;
}

int runDumpConfig(const DaemonOptions& options, std::ostream& out, std::ostream& err) {
    auto result = parse(options);
    printDiagnostics(result, err);
    if (!result.ok()) return kExitConfigTestFailed;
    if (options.dumpConfig == "json")
        out << conf::toJson(result.config).dump(2) << '\n';
    else
        out << conf::toKeepalivedSyntax(result.config);
    return 0;
}

}  // namespace ipvsd
