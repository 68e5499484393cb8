#include "ipvs/ops.h"

namespace ipvsd::ipvs {

namespace {
template <class... F>
struct Overloaded : F... {
    using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;
}  // namespace

std::string_view operationName(const IpvsOp& op) {
    return std::visit(Overloaded{
                          [](const AddService&) { return std::string_view{"add service"}; },
                          [](const EditService&) { return std::string_view{"edit service"}; },
                          [](const DelService&) { return std::string_view{"delete service"}; },
                          [](const AddDest&) { return std::string_view{"add destination"}; },
                          [](const EditDest&) { return std::string_view{"edit destination"}; },
                          [](const DelDest&) { return std::string_view{"delete destination"}; },
                          [](const ZeroCounters&) { return std::string_view{"zero counters"}; },
                          [](const Flush&) { return std::string_view{"flush"}; },
                          [](const SetTimeouts&) { return std::string_view{"set timeouts"}; },
                          [](const StartDaemon&) { return std::string_view{"start sync daemon"}; },
                          [](const StopDaemon&) { return std::string_view{"stop sync daemon"}; },
                      },
                      op);
}

std::string describe(const IpvsOp& op) {
    return std::visit(
        Overloaded{
            [](const AddService& o) { return o.service.key.toString(); },
            [](const EditService& o) { return o.service.key.toString(); },
            [](const DelService& o) { return o.key.toString(); },
            [](const AddDest& o) { return o.service.toString() + " -> " + o.dest.key.toString(); },
            [](const EditDest& o) { return o.service.toString() + " -> " + o.dest.key.toString(); },
            [](const DelDest& o) { return o.service.toString() + " -> " + o.dest.toString(); },
            [](const ZeroCounters& o) {
                return o.service ? o.service->toString() : std::string{"all services"};
            },
            [](const Flush&) { return std::string{"all services"}; },
            [](const SetTimeouts& o) {
                return "tcp " + std::to_string(o.timeouts.tcp) + " tcpfin " +
                       std::to_string(o.timeouts.tcpFin) + " udp " + std::to_string(o.timeouts.udp);
            },
            [](const StartDaemon& o) {
                return std::string{syncStateName(o.daemon.state)} + " on " + o.daemon.interface + " syncid " +
                       std::to_string(o.daemon.syncId);
            },
            [](const StopDaemon& o) { return std::string{syncStateName(o.state)}; },
        },
        op);
}

}  // namespace ipvsd::ipvs
