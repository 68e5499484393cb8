#include "healthcheck/policy.h"

#include <catch2/catch.hpp>

using namespace ipvsd;
using namespace ipvsd::healthcheck;
using namespace std::chrono_literals;

TEST_CASE("policy: keepalived defaults per checker type") {
    conf::VirtualServer vs;
    conf::RealServer rs;
    conf::Checker tcp;
    auto p = policyFor(tcp, rs, vs);
    CHECK(p.delayLoop == 60s);
    CHECK(p.warmup == 60s);
    CHECK(p.retry == 1);
    CHECK(p.delayBeforeRetry == 1s);
    CHECK_FALSE(p.alpha);
    CHECK(connectTimeoutFor(tcp, rs, vs) == 5s);

    conf::Checker http;
    http.type = conf::CheckerType::Http;
    CHECK(policyFor(http, rs, vs).delayBeforeRetry == 3s);
    conf::Checker dns;
    dns.type = conf::CheckerType::Dns;
    vs.delayLoopUs = 6'000'000;
    CHECK(policyFor(dns, rs, vs).retry == 3);
    CHECK(policyFor(dns, rs, vs).delayBeforeRetry == 6s);
    conf::Checker misc;
    misc.type = conf::CheckerType::Misc;
    misc.mutableAs<conf::MiscCheck>().dynamic = true;
    CHECK(policyFor(misc, rs, vs).retry == 0);
    CHECK(policyFor(misc, rs, vs).weightMode == WeightMode::MiscDynamic);
    conf::Checker file;
    file.type = conf::CheckerType::File;
    auto fp = policyFor(file, rs, vs, 4, false);
    CHECK(fp.weightMode == WeightMode::File);
    CHECK(fp.fileWeight == 4);
    CHECK(fp.retry == 0);
    CHECK(fp.warmup == 0s);
}

TEST_CASE("policy: checker overrides real server overrides virtual server") {
    conf::VirtualServer vs;
    vs.delayLoopUs = 10'000'000;
    vs.retry = 5;
    vs.alpha = true;
    vs.connectTimeoutUs = 2'000'000;
    vs.weight = 9;
    vs.inhibitOnFailure = true;
    vs.omega = true;
    conf::RealServer rs;
    rs.mutableMore().retry = 4;
    rs.mutableMore().delayBeforeRetryUs = 500'000;
    rs.alpha = false;
    conf::Checker c;
    c.mutableSettings().retry = 2;
    c.mutableSettings().warmupUs = 0;
    auto p = policyFor(c, rs, vs);
    CHECK(p.delayLoop == 10s);
    CHECK(p.warmup == 0s);
    CHECK(p.retry == 2);
    CHECK(p.delayBeforeRetry == 500ms);
    CHECK_FALSE(p.alpha);
    CHECK(connectTimeoutFor(c, rs, vs) == 2s);
    c.connectTimeoutUs = 300'000;
    CHECK(connectTimeoutFor(c, rs, vs) == 300ms);
    auto r = realServerPolicyFor(rs, vs);
    CHECK(r.weight == 9);
    CHECK(r.inhibitOnFailure);
    CHECK(r.omega);
    rs.weight = 0;
    rs.inhibitOnFailure = false;
    CHECK(realServerPolicyFor(rs, vs).weight == 0);
    CHECK_FALSE(realServerPolicyFor(rs, vs).inhibitOnFailure);
}
