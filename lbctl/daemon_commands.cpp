#include "lbctl/daemon_commands.h"

#include "ipvsd/control/status_table.h"

#include <fmt/format.h>

#include <cstring>
#include <iterator>
#include <ostream>

namespace ipvsd::lbctl {

namespace {



std::optional<control::Command> commandWord(const std::string& w) {
    if (w == "status") return control::Command::status;
    if (w == "reload") return control::Command::reload;
    if (w == "weight") return control::Command::setWeight;
    if (w == "drain") return control::Command::drain;
    if (w == "disable") return control::Command::disable;
    if (w == "enable") return control::Command::enable;
    return std::nullopt;
}

std::optional<int> parseWeight(const std::string& s) {
    if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    const int v = std::stoi(s);
    if (v > 65535) return std::nullopt;
    return v;
}

}  // namespace

std::optional<DaemonCommand> parseDaemonCommand(std::span<const std::string> args) {
    if (args.empty()) return std::nullopt;
    const auto cmd = commandWord(args[0]);
    if (!cmd) return std::nullopt;
    DaemonCommand d;
    d.command = *cmd;
    std::vector<std::string> positional;
    bool sawSocket = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--socket" || a.rfind("--socket=", 0) == 0) {
            if (sawSocket) return std::nullopt;
            sawSocket = true;
            if (a == "--socket") {
                if (i + 1 >= args.size() || args[i + 1].empty()) return std::nullopt;
                d.socketPath = args[++i];
            } else {
                d.socketPath = a.substr(std::strlen("--socket="));
                if (d.socketPath.empty()) return std::nullopt;
            }
        } else if (a == "--json" && *cmd == control::Command::status && !d.json) {
            d.json = true;
        } else if (a == "--persist" && *cmd != control::Command::status && *cmd != control::Command::reload && !d.persist) {
            d.persist = true;
        } else if (!a.empty() && a[0] == '-') {
            return std::nullopt;
        } else {
            positional.push_back(a);
        }
    }
    const std::size_t want = *cmd == control::Command::status || *cmd == control::Command::reload ? 0 : *cmd == control::Command::setWeight ? 3 : 2;
    if (positional.size() != want) return std::nullopt;
    if (want >= 2) d.target = {positional[0], positional[1]};
    if (want == 3) {
        const auto w = parseWeight(positional[2]);
        if (!w) return std::nullopt;
        d.weight = *w;
    }
    return d;
}

int runDaemonCommand(const DaemonCommand& command, const Exchange& exchange, const Streams& io) {
    const bool targeted = command.command != control::Command::status && command.command != control::Command::reload;
    nlohmann::json request = targeted ? control::makeRequest(command.command, command.target, command.weight,
                                                             command.persist)
                                      : control::makeRequest(command.command);
    if (command.command == control::Command::status && !command.json) request["format"] = "table";
    const auto reply = exchange(command.socketPath, request.dump());
    if (!reply.ok()) {
        const int e = reply.error().errnum;
        if (e == ENOENT || e == ECONNREFUSED)
            io.err << "lbctl: the ipvsd daemon is not running (no control socket at " << command.socketPath
                   << ": " << std::strerror(e) << ")\n";
        else if (e == EACCES || e == EPERM)
            io.err << "lbctl: permission denied on " << command.socketPath << " (the control socket is for root)\n";
        else if (e == ETIMEDOUT)
            io.err << "lbctl: the daemon did not answer in time on " << command.socketPath << "\n";
        else
            io.err << "lbctl: " << reply.error().operation << ": " << std::strerror(e)
                   << (reply.error().detail.empty() ? "" : " (" + reply.error().detail + ")") << "\n";
        return kDaemonUnreachable;
    }
    // status --json: a successful reply is `{"v":1,"ok":true,"result":SNAPSHOT}` as the daemon writes it;
    // printed as it came (one line) without parsing megabytes of JSON.
    constexpr std::string_view kOkPrefix = R"({"v":1,"ok":true,"result":)";
    if (command.command == control::Command::status && command.json && reply.value().size() > kOkPrefix.size() &&
        reply.value().compare(0, kOkPrefix.size(), kOkPrefix) == 0 && reply.value().back() == '}') {
        const std::string& r = reply.value();
        io.out.write(r.data() + kOkPrefix.size(), static_cast<std::streamsize>(r.size() - kOkPrefix.size() - 1));
        io.out << "\n";
        return kDaemonOk;
    }
    // status: the table read straight out of the reply (a JSON parse of 5 MB costs tens of ms).
    if (command.command == control::Command::status && !command.json)
        if (auto table = control::tableFromReply(reply.value())) {
            io.out << *table;
            return kDaemonOk;
        }
    const nlohmann::json j = nlohmann::json::parse(reply.value(), nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("ok")) {
        io.err << "lbctl: the daemon's reply is not valid\n";
        return kDaemonUnreachable;
    }
    if (j.at("ok") != true) {
        const auto& e = j.value("error", nlohmann::json::object());
        io.err << "lbctl: " << e.value("message", std::string("request failed")) << " ("
               << e.value("code", std::string("?")) << ")\n";
        return e.value("code", std::string()) == "permission_denied" ? kDaemonUnreachable : kDaemonRefused;
    }
    if (command.command == control::Command::status) {
        if (command.json) {
            io.out << j.at("result").dump() << "\n";
            return kDaemonOk;
        }
        try {
            const auto& result = j.at("result");
            if (const auto table = result.find("table"); table != result.end() && table->is_string())
                io.out << table->get_ref<const std::string&>();
            else  // a daemon that sent the snapshot itself
                io.out << control::formatStatusTable(control::snapshotFromJson(result));
        } catch (const nlohmann::json::exception& ex) {
            io.err << "lbctl: the daemon's status is not readable: " << ex.what() << "\n";
            return kDaemonUnreachable;
        }
        return kDaemonOk;
    }
    const auto& result = j.value("result", nlohmann::json::object());
    const std::string message = result.value("message", std::string());
    if (!message.empty()) io.out << message << "\n";
    return kDaemonOk;
}

}  // namespace ipvsd::lbctl
