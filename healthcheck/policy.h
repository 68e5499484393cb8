// keepalived's inheritance of checker options: checker, then real server, then virtual server, then the
// checker type's default (keepalived.conf(5) 2.2.7):
//   delay_loop 60 s; warmup = delay_loop (0 disables); connect_timeout 5 s;
//   retry 1, DNS_CHECK 3, MISC_CHECK 0; delay_before_retry 1 s, HTTP_GET/SSL_GET 3 s, DNS_CHECK delay_loop;
//   FILE_CHECK and BFD_CHECK have none of the standard options (no retry, no warmup).
#pragma once

#include "conf/model/lvs.h"
#include "healthcheck/tracker.h"

namespace ipvsd::healthcheck {

inline constexpr Duration kDefaultConnectTimeout = std::chrono::seconds(5);

CheckerPolicy policyFor(const conf::Checker& checker, const conf::RealServer& realServer,
                        const conf::VirtualServer& virtualServer);

// The track_file's own weight is the default of a FILE_CHECK's weight.
CheckerPolicy policyFor(const conf::Checker& checker, const conf::RealServer& realServer,
                        const conf::VirtualServer& virtualServer, std::int32_t trackFileWeight,
                        bool trackFileReverse);

Duration connectTimeoutFor(const conf::Checker& checker, const conf::RealServer& realServer,
                           const conf::VirtualServer& virtualServer);

RealServerPolicy realServerPolicyFor(const conf::RealServer& realServer, const conf::VirtualServer& virtualServer);

}  // namespace ipvsd::healthcheck
