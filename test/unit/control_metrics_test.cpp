#include "control_fake_handler.h"
#include "ipvsd/control/metrics.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstdio>
#include <unistd.h>
#include <map>
#include <set>
#include <sstream>

using namespace ipvsd::control;

namespace {

bool isNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'; }
bool isNameChar(char c) { return isNameStart(c) || (c >= '0' && c <= '9'); }

// A strict reader of the text format 0.0.4: every sample belongs to a family declared by HELP and TYPE
// before it, families are contiguous, names and labels are well formed, values parse, series are unique.
struct Parsed {
    std::map<std::string, std::string> types;
    std::map<std::string, double> series;  // "name{labels}" -> value
    std::vector<std::string> errors;
};

Parsed parseExposition(const std::string& text) {
    Parsed p;
    std::istringstream in(text);
    std::string line;
    std::string current;
    std::set<std::string> finished;
    int n = 0;
    if (!text.empty() && text.back() != '\n') p.errors.push_back("no final newline");
    while (std::getline(in, line)) {
        ++n;
        const auto err = [&](const std::string& what) { p.errors.push_back("line " + std::to_string(n) + ": " + what); };
        if (line.empty()) { err("empty line"); continue; }
        if (line[0] == '#') {
            std::istringstream ls(line);
            std::string hash, kind, name, rest;
            ls >> hash >> kind >> name;
            std::getline(ls, rest);
            if (kind == "HELP") {
                if (name != current) {
                    if (finished.count(name)) err("family " + name + " declared twice");
                    if (!current.empty()) finished.insert(current);
                    current = name;
                }
            } else if (kind == "TYPE") {
                if (name != current) err("TYPE without HELP for " + name);
                const std::string t = rest.empty() ? "" : rest.substr(1);
                if (t != "counter" && t != "gauge") err("bad type " + t);
                if (p.types.count(name)) err("TYPE twice for " + name);
                p.types[name] = t;
                if (t == "counter" && name.size() > 6 && name.substr(name.size() - 6) != "_total")
                    err("counter without _total: " + name);
            } else {
                err("unknown comment");
            }
            continue;
        }
        std::size_t i = 0;
        if (!isNameStart(line[0])) { err("bad metric name"); continue; }
        while (i < line.size() && isNameChar(line[i])) ++i;
        const std::string name = line.substr(0, i);
        if (name != current || !p.types.count(name)) err("sample of undeclared or non-contiguous family " + name);
        std::string labels;
        if (i < line.size() && line[i] == '{') {
            const std::size_t start = i;
            ++i;
            bool ok = true;
            std::set<std::string> labelNames;
            while (ok && i < line.size() && line[i] != '}') {
                const std::size_t ln = i;
                if (!isNameStart(line[i]) || line[i] == ':') { ok = false; break; }
                while (i < line.size() && isNameChar(line[i]) && line[i] != ':') ++i;
                if (!labelNames.insert(line.substr(ln, i - ln)).second) ok = false;
                if (i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"') { ok = false; break; }
                i += 2;
                while (i < line.size() && line[i] != '"') {
                    if (line[i] == '\\') {
                        if (i + 1 >= line.size() || (line[i + 1] != '\\' && line[i + 1] != '"' && line[i + 1] != 'n')) {
                            ok = false;
                            break;
                        }
                        ++i;
                    }
                    ++i;
                }
                if (i >= line.size()) { ok = false; break; }
                ++i;  // closing quote
                if (i < line.size() && line[i] == ',') ++i;
            }
            if (!ok || i >= line.size() || line[i] != '}') { err("bad labels"); continue; }
            ++i;
            labels = line.substr(start, i - start);
        }
        if (i >= line.size() || line[i] != ' ') { err("no space before value"); continue; }
        const std::string value = line.substr(i + 1);
        char* end = nullptr;
        const double v = std::strtod(value.c_str(), &end);
        if (value.empty() || *end != '\0') { err("bad value '" + value + "'"); continue; }
        if (!p.series.emplace(name + labels, v).second) err("duplicate series " + name + labels);
    }
    return p;
}

}  // namespace

TEST_CASE("metrics: the exposition is well formed and carries the documented names", "[control]") {
    StatusSnapshot s = test::sampleSnapshot(3, 2);
    s.vrrpInstances[0].name = "odd \"name\" \\ with\nnewline";
    s.virtualServers[0].key = "fwmark:5";
    const std::string text = renderMetrics(s);
    const Parsed p = parseExposition(text);
    INFO(text.substr(0, 3000));
    CHECK(p.errors == std::vector<std::string>{});
    CHECK(p.types.at("ipvsd_vrrp_state") == "gauge");
    CHECK(p.types.at("ipvsd_vrrp_transitions_total") == "counter");
    CHECK(p.types.at("ipvsd_realserver_up") == "gauge");
    CHECK(p.types.at("ipvsd_ipvs_service_connections_total") == "counter");
    CHECK(p.types.at("ipvsd_ipvs_service_bytes_in_per_second") == "gauge");
    CHECK(p.types.at("ipvsd_ipvs_destination_bytes_in_total") == "counter");
    CHECK(p.types.count("ipvsd_ipvs_destination_bytes_in_per_second") == 0);  // rate() over the counter
    CHECK(p.types.at("ipvsd_reloads_total") == "counter");
    CHECK(p.types.at("ipvsd_loop_lateness_seconds") == "gauge");
    const std::string vi = R"(instance="odd \"name\" \\ with\nnewline",interface="eth0",vrid="51")";
    CHECK(p.series.at("ipvsd_vrrp_state{" + vi + R"(,state="MASTER"})") == 1);
    CHECK(p.series.at("ipvsd_vrrp_state{" + vi + R"(,state="BACKUP"})") == 0);
    CHECK(p.series.at("ipvsd_vrrp_transitions_total{" + vi + "}") == 2);
    CHECK(p.series.at("ipvsd_vrrp_adverts_dropped_total{" + vi + R"(,reason="bad_ttl"})") == 4);
    CHECK(p.series.at(R"(ipvsd_ipvs_service_connections_total{virtual_server="fwmark:5"})") == 1000);
    CHECK(p.series.at(R"(ipvsd_ipvs_service_connections_total{virtual_server="tcp:10.0.0.2:80"})") == 1002);
    CHECK(p.series.at(R"(ipvsd_realserver_up{virtual_server="tcp:10.0.0.1:80",real_server="192.168.0.2:8080"})") == 0);
    CHECK(p.series.at(R"(ipvsd_realserver_up{virtual_server="tcp:10.0.0.1:80",real_server="192.168.0.1:8080"})") == 1);
    CHECK(p.series.at(R"(ipvsd_checker_duration_seconds{virtual_server="tcp:10.0.0.1:80",real_server="192.168.0.1:8080"})") ==
          Approx(0.0015));
    CHECK(p.series.at("ipvsd_reloads_total") == 3);
    CHECK(p.series.at(R"(ipvsd_loop_lateness_seconds{stat="max"})") == Approx(0.2));
}

TEST_CASE("metrics: an empty snapshot still renders the daemon families", "[control]") {
    const Parsed p = parseExposition(renderMetrics(StatusSnapshot{}));
    CHECK(p.errors == std::vector<std::string>{});
    CHECK(p.series.count("ipvsd_reloads_total") == 1);
    CHECK(p.types.count("ipvsd_vrrp_state") == 0);
}

TEST_CASE("metrics: label escaping", "[control]") {
    CHECK(escapeLabelValue("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
    CHECK(escapeLabelValue("plain") == "plain");
}

TEST_CASE("metrics: Debian's prometheus_client parser reads the output", "[control]") {
    if (std::system("/usr/bin/python3 -c 'import prometheus_client.parser' 2>/dev/null") != 0) {
        WARN("python3-prometheus-client is not installed (setup.sh installs it): skipped");
        return;
    }
    StatusSnapshot s = test::sampleSnapshot(3, 2);
    s.vrrpInstances[0].name = "odd \"name\" \\ with\nnewline";
    char path[] = "/tmp/ipvsd-metrics-XXXXXX";
    const int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    const std::string text = renderMetrics(s);
    REQUIRE(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    ::close(fd);
    // Counts the samples it parsed and checks one escaped label; exit 0 only if all is as expected.
    const std::string script =
        "import sys\n"
        "from prometheus_client.parser import text_string_to_metric_families as parse\n"
        "fams = list(parse(open(sys.argv[1]).read()))\n"
        "n = sum(len(f.samples) for f in fams)\n"
        "st = [x for f in fams if f.name == 'ipvsd_vrrp_state' for x in f.samples if x.labels['state'] == 'MASTER']\n"
        "ok = st and st[0].labels['instance'] == 'odd \"name\" \\\\ with\\nnewline' and st[0].value == 1\n"
        "types = {f.name: f.type for f in fams}\n"
        "ok = ok and types['ipvsd_vrrp_transitions'] == 'counter' and types['ipvsd_realserver_up'] == 'gauge'\n"
        "print(n)\n"
        "sys.exit(0 if ok else 1)\n";
    const std::string scriptPath = std::string(path) + ".py";
    {
        std::FILE* f = std::fopen(scriptPath.c_str(), "w");
        REQUIRE(f);
        std::fputs(script.c_str(), f);
        std::fclose(f);
    }
    const std::string cmd = "/usr/bin/python3 " + scriptPath + " " + path + " > " + path + ".out 2>&1";
    const int rc = std::system(cmd.c_str());
    std::string out;
    if (std::FILE* f = std::fopen((std::string(path) + ".out").c_str(), "r")) {
        char buf[4096];
        const std::size_t n = std::fread(buf, 1, sizeof(buf), f);
        out.assign(buf, n);
        std::fclose(f);
    }
    std::remove(path);
    std::remove(scriptPath.c_str());
    std::remove((std::string(path) + ".out").c_str());
    INFO(out);
    CHECK(rc == 0);
    // Every sample line was read.
    std::size_t samples = 0;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] != '#') ++samples;
    CHECK(out == std::to_string(samples) + "\n");
}
