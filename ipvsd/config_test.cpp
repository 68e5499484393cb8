#include "ipvsd/config_test.h"

#include "conf/config.h"
#include "conf/dump.h"

#include <grp.h>
#include <net/if.h>
#include <netdb.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

namespace ipvsd {

namespace {

conf::ParseResult parse(const DaemonOptions& options) {
    return conf::parseFile(options.configFile, hostParseOptions(options.configId.value_or(defaultConfigId())));
}

// Is NAME in /etc/iproute2/FILE or one of /etc/iproute2/FILE.d/*.conf ("NUMBER NAME" lines)?
bool iprouteNameExists(std::string_view file, std::string_view name) {
    std::vector<std::filesystem::path> paths{std::filesystem::path("/etc/iproute2") / std::string(file)};
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(paths.front().string() + ".d", ec))
        if (entry.path().extension() == ".conf") paths.push_back(entry.path());
    for (const auto& path : paths) {
        std::ifstream in(path);
        std::string line;
        while (std::getline(in, line)) {
            std::istringstream words(line);
            std::string number, word;
            if (words >> number >> word && number[0] != '#' && word == name) return true;
        }
    }
    return false;
}

// keepalived finds a script by its path, or in PATH when the name has no '/'.
bool scriptFound(std::string_view script) {
    std::string name(script);
    struct stat st {};
    if (name.find('/') != std::string::npos) return ::stat(name.c_str(), &st) == 0;
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':'))
        if (!dir.empty() && ::stat((dir + "/" + name).c_str(), &st) == 0) return true;
    return false;
}

// SIOCGIFFLAGS, read from sysfs (no socket needed): IFF_LOOPBACK and IFF_MULTICAST.
std::optional<conf::InterfaceFlags> interfaceFlags(std::string_view name) {
    if (name.empty() || name.find('/') != std::string_view::npos || name == "." || name == "..") return std::nullopt;
    std::ifstream in("/sys/class/net/" + std::string(name) + "/flags");
    unsigned long flags = 0;
    if (!(in >> std::hex >> flags)) return std::nullopt;
    return conf::InterfaceFlags{(flags & IFF_LOOPBACK) != 0, (flags & IFF_MULTICAST) != 0};
}

void printDiagnostics(const conf::ParseResult& result, std::ostream& err) {
    for (const auto& d : result.diagnostics.items())
        if (d.severity != conf::Severity::Info) err << result.diagnostics.format(d) << '\n';
}

}  // namespace

conf::ParseOptions hostParseOptions(std::string configId) {
    conf::ParseOptions po;
    po.configId = std::move(configId);
    po.interfaceExists = [](std::string_view name) { return ::if_nametoindex(std::string(name).c_str()) != 0; };
    po.interfaceFlags = interfaceFlags;
    po.userExists = [](std::string_view name) { return ::getpwnam(std::string(name).c_str()) != nullptr; };
    po.groupExists = [](std::string_view name) { return ::getgrnam(std::string(name).c_str()) != nullptr; };
    po.hostResolves = [](std::string_view name) {
        addrinfo* result = nullptr;
        if (::getaddrinfo(std::string(name).c_str(), nullptr, nullptr, &result) != 0) return false;
        ::freeaddrinfo(result);
        return true;
    };
    po.scriptFound = scriptFound;
    po.netnsExists = [](std::string_view name) {
        struct stat st {};
        return ::stat(("/run/netns/" + std::string(name)).c_str(), &st) == 0;
    };
    po.onlineCpus = [] {
        long n = ::sysconf(_SC_NPROCESSORS_ONLN);
        return n > 0 ? static_cast<unsigned>(n) : 1u;
    };
    po.iprouteNameExists = iprouteNameExists;
    return po;
}

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
