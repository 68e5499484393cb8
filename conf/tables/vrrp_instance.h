// Row builders shared by the two halves of the vrrp_instance table (vrrp_instance.cpp: addresses,
// interfaces, identity; vrrp_instance_behaviour.cpp: preemption, notification, GARP, strict mode).
#pragma once

#include "conf/tables/vrrp_parse.h"

namespace ipvsd::conf::vrrp::inst {

using K = Keyword<VrrpInstance>;
using I = VrrpInstance;

K line(std::string_view name, std::uint8_t minArgs, std::uint8_t maxArgs, K::Bind bind, K::Dump dump);
K flag(std::string_view name, bool I::*member);
// `keyword N` read with read_unsigned(lo, hi); on failure keepalived adds `failure` (owner name, word).
K unsignedValue(std::string_view name, std::optional<std::uint32_t> I::*member, std::uint32_t lo, std::uint32_t hi,
                std::string_view failure);
// garp_master_repeat / garp_master_refresh_repeat: 0 is accepted as 1 with a message (pre-2.0.7 configs).
K repeatValue(std::string_view name, std::optional<std::uint32_t> I::*member);
// `keyword [BOOL]` with keepalived's message for a bad value (owner name, word).
K boolValue(std::string_view name, std::optional<bool> I::*member, std::string_view message);

std::vector<K> identityRows();
std::vector<K> behaviourRows();

}  // namespace ipvsd::conf::vrrp::inst
