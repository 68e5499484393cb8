#include "vrrp/virtual_routes.h"

#include "conf/diagnostics.h"
#include "conf/schema.h"
#include "conf/tables/static_parse.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

namespace ipvsd::vrrp {

namespace {

const std::vector<std::string>& wordsOf(const InstanceRoute& r) {
    return std::visit([](const auto& x) -> const std::vector<std::string>& { return x.words; }, r.what);
}

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
    return out;
}

// The states that are not MASTER in the notify lines (STOP: the instance was removed or the daemon stops).
bool leavesMaster(std::string_view state) {
    return state == "BACKUP" || state == "FAULT" || state == "STOP";
}

}  // namespace

std::string InstanceRoute::text() const {
    return std::string(std::holds_alternative<conf::StaticRoute>(what) ? "route " : "rule ") + join(wordsOf(*this));
}

bool InstanceRoute::sameAs(const InstanceRoute& other) const {
    return instance == other.instance && what.index() == other.what.index() && wordsOf(*this) == wordsOf(other);
}

std::vector<InstanceRoute> instanceRoutes(const conf::Config& config, std::vector<std::string>& problems) {
    std::vector<InstanceRoute> out;
    for (const auto& instance : config.vrrp.instances) {
        // Both readers report to a scratch sink: the parser already gave the user its messages.
        auto read = [&](const conf::RouteLine& line, bool rule) {
            conf::Diagnostics scratch;
            conf::BindContext ctx(scratch);
            conf::Statement s{line.words, {}, line.where};
            InstanceRoute r{instance.name, conf::StaticRoute{}};
            bool ok = false;
            if (auto parsed = rule ? std::nullopt : conf::iproute::parseRoute(s, ctx, nullptr)) {
                r.what = std::move(*parsed);
                ok = true;
            } else if (auto parsedRule = rule ? conf::iproute::parseRule(s, ctx, nullptr) : std::nullopt) {
                r.what = std::move(*parsedRule);
                ok = true;
            }
            if (ok)
                out.push_back(std::move(r));
            else
                problems.push_back("(" + instance.name + ") cannot read virtual_" + (rule ? "rules" : "routes") +
                                   " line: " + join(line.words));
        };
        for (const auto& line : instance.virtualRoutes) read(line, false);
        for (const auto& line : instance.virtualRules) read(line, true);
    }
    return out;
}

void VirtualRoutes::configure(const conf::Config& config) {
    std::vector<std::string> problems;
    configured_ = instanceRoutes(config, problems);
    for (const auto& p : problems) log_.error(p);
    // Instances gone from the configuration are no longer MASTER.
    for (auto& [name, master] : master_) {
        const bool present = std::any_of(config.vrrp.instances.begin(), config.vrrp.instances.end(),
                                         [&](const auto& i) { return i.name == name; });
        if (!present) master = false;
    }
    reconcile();
}

void VirtualRoutes::write(const std::string& line) {
    // INSTANCE "name" STATE priority
    if (line.rfind("INSTANCE \"", 0) != 0) return;
    const auto close = line.find('"', 10);
    if (close == std::string::npos || close + 2 > line.size()) return;
    const std::string name = line.substr(10, close - 10);
    const std::string rest = line.substr(close + 2);
    const std::string state = rest.substr(0, rest.find(' '));
    if (state == "MASTER")
        master_[name] = true;
    else if (leavesMaster(state))
        master_[name] = false;
    else
        return;
    reconcile();
}

void VirtualRoutes::stop() {
    for (auto& [name, master] : master_) master = false;
    reconcile();
}

void VirtualRoutes::reconcile() {
    auto wanted = [&](const InstanceRoute& r) {
        auto m = master_.find(r.instance);
        if (m == master_.end() || !m->second) return false;
        return std::any_of(configured_.begin(), configured_.end(), [&](const auto& c) { return c.sameAs(r); });
    };
    auto report = [&](const char* what, const InstanceRoute& r, const Error& e) {
        log_.error("(" + r.instance + ") cannot " + what + " virtual " + r.text() + ": " + std::strerror(e.errnum) +
                   (e.detail.empty() ? "" : " (" + e.detail + ")"));
    };
    // keepalived's lines, once per instance, kind and direction: "(VI_1) setting Virtual Routes".
    std::set<std::string> announced;
    auto announce = [&](const InstanceRoute& r, const char* verb) {
        const bool rule = std::holds_alternative<conf::StaticRule>(r.what);
        std::string line = "(" + r.instance + ") " + verb + (rule ? " Virtual Rules" : " Virtual Routes");
        if (announced.insert(line).second) log_.info(line);
    };
    // Routes go in before the rules that lead to them; removal runs in reverse order.
    std::vector<InstanceRoute> kept;
    for (auto it = installed_.rbegin(); it != installed_.rend(); ++it) {
        if (wanted(*it)) continue;
        announce(*it, "removing");
        Status removed = std::holds_alternative<conf::StaticRule>(it->what)
                             ? port_.removeRule(std::get<conf::StaticRule>(it->what))
                             : port_.removeRoute(std::get<conf::StaticRoute>(it->what));
        // Already gone (deleted by hand, its interface removed): nothing left to undo.
        if (!removed && removed.error().errnum != ENOENT && removed.error().errnum != ESRCH)
            report("remove", *it, removed.error());
    }
    for (auto& r : installed_)
        if (wanted(r)) kept.push_back(std::move(r));
    installed_ = std::move(kept);
    for (int pass = 0; pass < 2; ++pass) {  // routes, then rules
        for (const auto& c : configured_) {
            if (std::holds_alternative<conf::StaticRule>(c.what) != (pass == 1) || !wanted(c)) continue;
            if (std::any_of(installed_.begin(), installed_.end(), [&](const auto& i) { return i.sameAs(c); })) continue;
            announce(c, "setting");
            Status added = pass == 1 ? port_.addRule(std::get<conf::StaticRule>(c.what))
                                     : port_.addRoute(std::get<conf::StaticRoute>(c.what));
            if (!added) {
                report("install", c, added.error());
                continue;
            }
            installed_.push_back(c);
        }
    }
}

}  // namespace ipvsd::vrrp
