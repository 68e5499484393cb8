// The control socket protocol, version 1 (docs/control-socket.md): one JSON object per line each way.
// Pure: parsing and validation of requests, building of replies. No sockets here.
#pragma once

#include "ipvsd/control/handler.h"
#include "ipvsd/control/snapshot.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace ipvsd::control {

inline constexpr int kProtocolVersion = 1;

enum class Command { status, reload, setWeight, drain, disable, enable };

std::string_view commandName(Command c);

struct Request {
    Command command = Command::status;
    nlohmann::json id;  // echoed back in the reply; null when the client sent none
    RealServerRef target;
    int weight = 0;
    bool persist = false;
    bool table = false;  // status with "format":"table": the result is {"table": TEXT}
};

// Error codes carried in replies.
namespace codes {
inline constexpr const char* badJson = "bad_json";
inline constexpr const char* badRequest = "bad_request";
inline constexpr const char* unknownCommand = "unknown_command";
inline constexpr const char* badVersion = "bad_version";
inline constexpr const char* lineTooLong = "line_too_long";
inline constexpr const char* tooManyClients = "too_many_clients";
inline constexpr const char* internal = "internal";
}  // namespace codes

struct ProtocolError {
    std::string code;
    std::string message;
    nlohmann::json id;  // the request's id when it could be read
};

// Parses one line (without its '\n').
std::variant<Request, ProtocolError> parseRequest(std::string_view line);

// Request building (the client side, lbctl).
nlohmann::json makeRequest(Command c);
nlohmann::json makeRequest(Command c, const RealServerRef& rs, int weight, bool persist);

// Replies, each one line of JSON without the trailing '\n'.
std::string errorReply(const ProtocolError& e);
std::string outcomeReply(const nlohmann::json& id, const CommandOutcome& outcome);
std::string statusReply(const nlohmann::json& id, const StatusSnapshot& s);
std::string statusTableReply(const nlohmann::json& id, const StatusSnapshot& s);
// The table of a successful status reply without id as statusTableReply writes it, read without a JSON
// parser (megabytes for 10 000 services); nullopt for any other shape (the caller parses it as JSON).
std::optional<std::string> tableFromReply(std::string_view reply);

// Snapshot <-> JSON (the "result" of a status reply).
nlohmann::json toJson(const StatusSnapshot& s);
// Reads back what toJson wrote (lbctl's table); throws nlohmann::json::exception on a malformed object.
StatusSnapshot snapshotFromJson(const nlohmann::json& j);

// The reply to a status request (JSON or table as the request asked) for a snapshot.
std::string statusReplyFor(const Request& req, const StatusSnapshot& s);
// Runs one parsed request against the handler and returns the reply line.
std::string handleRequest(const Request& req, ControlHandler& handler);
// Runs one request line against the handler and returns the reply line.
std::string handleLine(std::string_view line, ControlHandler& handler);

}  // namespace ipvsd::control
