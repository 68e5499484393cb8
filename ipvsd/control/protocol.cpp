#include "ipvsd/control/protocol.h"

#include "ipvsd/control/status_table.h"

#include <array>
#include <utility>

namespace ipvsd::control {

// JSON field names are the C++ member names (camelCase); docs/control-socket.md lists them.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(VrrpInstanceStatus, name, interfaceName, vrid, family, state,
                                                priority, effectivePriority, masterAddress, transitions,
                                                lastAdvertAgeSeconds, advertsSent, advertsReceived, drops)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(IpvsCounters, connections, packetsIn, packetsOut, bytesIn,
                                                bytesOut, cps, inPps, outPps, inBps, outBps)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RealServerStatus, address, forwarding, weight,
                                                configuredWeight, up, disabled, lastFailure, checker,
                                                lastCheckDurationSeconds, checksOk, checksFailed,
                                                activeConnections, inactiveConnections, counters)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ServiceMemberStatus, key, counters)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(VirtualServerStatus, key, protocol, address, scheduler,
                                                persistent, persistenceTimeout, quorumUp, counters, realServers,
                                                members)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LoopStatus, timersFired, lateOverThreshold, lateMaxSeconds,
                                                lateMeanSeconds)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(StatusSnapshot, version, pid, uptimeSeconds, reloads,
                                                reloadFailures, lastReloadDurationSeconds, loop, vrrpInstances,
                                                virtualServers)

namespace {

constexpr std::array<std::pair<Command, std::string_view>, 6> kCommands{{
    {Command::status, "status"},
    {Command::reload, "reload"},
    {Command::setWeight, "weight"},
    {Command::drain, "drain"},
    {Command::disable, "disable"},
    {Command::enable, "enable"},
}};

bool needsTarget(Command c) { return c != Command::status && c != Command::reload; }

nlohmann::json replyHead(const nlohmann::json& id, bool ok) {
    nlohmann::json j;
    j["v"] = kProtocolVersion;
    if (!id.is_null()) j["id"] = id;
    j["ok"] = ok;
    return j;
}

std::string dump(const nlohmann::json& j) {
    // Replacement of invalid UTF-8 (e.g. an interface name) instead of an exception.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Reads a required non-empty string field.
std::variant<std::string, ProtocolError> stringField(const nlohmann::json& j, const char* name,
                                                    const nlohmann::json& id) {
    const auto it = j.find(name);
    if (it == j.end()) return ProtocolError{codes::badRequest, std::string("missing field \"") + name + "\"", id};
    if (!it->is_string() || it->get_ref<const std::string&>().empty())
        return ProtocolError{codes::badRequest, std::string("field \"") + name + "\" must be a non-empty string",
                             id};
    return it->get<std::string>();
}

}  // namespace

std::string_view commandName(Command c) {
    for (const auto& [cmd, name] : kCommands)
        if (cmd == c) return name;
    return "?";
}

std::variant<Request, ProtocolError> parseRequest(std::string_view line) {
    nlohmann::json j = nlohmann::json::parse(line.begin(), line.end(), nullptr, false);
    if (j.is_discarded()) return ProtocolError{codes::badJson, "the request is not valid JSON", nullptr};
    if (!j.is_object()) return ProtocolError{codes::badRequest, "the request must be a JSON object", nullptr};

    Request req;
    if (const auto it = j.find("id"); it != j.end()) {
        if (!it->is_string() && !it->is_number_integer())
            return ProtocolError{codes::badRequest, "field \"id\" must be a string or an integer", nullptr};
        req.id = *it;
    }
    if (const auto it = j.find("v"); it != j.end()) {
        if (!it->is_number_integer() || it->get<std::int64_t>() != kProtocolVersion)
            return ProtocolError{codes::badVersion,
                                 "unsupported protocol version (this daemon speaks version " +
                                     std::to_string(kProtocolVersion) + ")",
                                 req.id};
    }
    const auto cmdIt = j.find("cmd");
    if (cmdIt == j.end()) return ProtocolError{codes::badRequest, "missing field \"cmd\"", req.id};
    if (!cmdIt->is_string()) return ProtocolError{codes::badRequest, "field \"cmd\" must be a string", req.id};
    const auto& cmdName = cmdIt->get_ref<const std::string&>();
    bool found = false;
    for (const auto& [cmd, name] : kCommands) {
        if (name == cmdName) {
            req.command = cmd;
            found = true;
        }
    }
    if (!found) {
        std::string shown = cmdName.size() > 64 ? cmdName.substr(0, 64) + "..." : cmdName;
        return ProtocolError{codes::unknownCommand,
                             "unknown command \"" + shown +
                                 "\" (known: status, reload, weight, drain, disable, enable)",
                             req.id};
    }
    if (req.command == Command::status) {
        if (const auto it = j.find("format"); it != j.end()) {
            if (*it == "table")
                req.table = true;
            else if (*it != "json")
                return ProtocolError{codes::badRequest, "field \"format\" must be \"json\" or \"table\"", req.id};
        }
    }
    if (!needsTarget(req.command)) return req;

    auto vs = stringField(j, "vs", req.id);
    if (auto* e = std::get_if<ProtocolError>(&vs)) return std::move(*e);
    auto rs = stringField(j, "rs", req.id);
    if (auto* e = std::get_if<ProtocolError>(&rs)) return std::move(*e);
    req.target = {std::get<std::string>(std::move(vs)), std::get<std::string>(std::move(rs))};

    if (req.command == Command::setWeight) {
        const auto it = j.find("weight");
        if (it == j.end()) return ProtocolError{codes::badRequest, "missing field \"weight\"", req.id};
        if (!it->is_number_integer() || it->get<std::int64_t>() < 0 || it->get<std::int64_t>() > 65535)
            return ProtocolError{codes::badRequest, "field \"weight\" must be an integer from 0 to 65535", req.id};
        req.weight = it->get<int>();
    }
    if (const auto it = j.find("persist"); it != j.end()) {
        if (!it->is_boolean()) return ProtocolError{codes::badRequest, "field \"persist\" must be a boolean", req.id};
        req.persist = it->get<bool>();
    }
    return req;
}

nlohmann::json makeRequest(Command c) {
    return nlohmann::json{{"v", kProtocolVersion}, {"cmd", std::string(commandName(c))}};
}

nlohmann::json makeRequest(Command c, const RealServerRef& rs, int weight, bool persist) {
    nlohmann::json j = makeRequest(c);
    j["vs"] = rs.virtualServer;
    j["rs"] = rs.realServer;
    if (c == Command::setWeight) j["weight"] = weight;
    j["persist"] = persist;
    return j;
}

std::string errorReply(const ProtocolError& e) {
    nlohmann::json j = replyHead(e.id, false);
    j["error"] = {{"code", e.code}, {"message", e.message}};
    return dump(j);
}

std::string outcomeReply(const nlohmann::json& id, const CommandOutcome& outcome) {
    if (!outcome.ok) return errorReply({outcome.code.empty() ? "failed" : outcome.code, outcome.message, id});
    nlohmann::json j = replyHead(id, true);
    j["result"] = {{"message", outcome.message}};
    return dump(j);
}

nlohmann::json toJson(const StatusSnapshot& s) { return s; }

StatusSnapshot snapshotFromJson(const nlohmann::json& j) { return j.get<StatusSnapshot>(); }



std::string statusReplyFor(const Request& req, const StatusSnapshot& s) {
    return req.table ? statusTableReply(req.id, s) : statusReply(req.id, s);
}

std::string handleRequest(const Request& req, ControlHandler& handler) {
    try {
        switch (req.command) {
            case Command::status: return statusReplyFor(req, handler.snapshot());
            case Command::reload: return outcomeReply(req.id, handler.reload());
            case Command::setWeight:
                return outcomeReply(req.id, handler.setWeight(req.target, req.weight, req.persist));
            case Command::drain: return outcomeReply(req.id, handler.drain(req.target, req.persist));
            case Command::disable: return outcomeReply(req.id, handler.disable(req.target, req.persist));
            case Command::enable: return outcomeReply(req.id, handler.enable(req.target, req.persist));
        }
    } catch (const std::exception& ex) {
        return errorReply({codes::internal, std::string("internal error: ") + ex.what(), req.id});
    }
    return errorReply({codes::internal, "unhandled command", req.id});
}

std::string handleLine(std::string_view line, ControlHandler& handler) {
    auto parsed = parseRequest(line);
    if (auto* e = std::get_if<ProtocolError>(&parsed)) return errorReply(*e);
    return handleRequest(std::get<Request>(parsed), handler);
}

}  // namespace ipvsd::control
