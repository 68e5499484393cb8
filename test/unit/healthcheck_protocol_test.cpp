#include "healthcheck/dns_message.h"
#include "healthcheck/http_match.h"
#include "healthcheck/line_protocols.h"

#include <catch2/catch.hpp>

using namespace ipvsd;
using namespace ipvsd::healthcheck;

TEST_CASE("http: md5 digest as genhash prints it") {
    // genhash -s 127.0.0.1 -p PORT -u /index.html printed this for a body "hello\n" (keepalived 2.2.7)
    CHECK(toHex(md5("hello\n")) == "b1946ac92492d2347c6235b4d2611184");
    CHECK(toHex(md5("abc")) == "900150983cd24fb0d6963f7d28e17f72");
    CHECK(toHex(md5("")) == "d41d8cd98f00b204e9800998ecf8427e");
    Md5 m;
    m.update("ab");
    m.update("");
    m.update("c");
    CHECK(toHex(m.finish()) == "900150983cd24fb0d6963f7d28e17f72");
}

TEST_CASE("http: the request keepalived sends, byte for byte") {
    auto ip = *conf::IpAddress::parse("127.0.0.1");
    // captured from genhash 2.2.7 with a python listener
    CHECK(buildRequest("/x", hostHeader(std::nullopt, ip, 18090), conf::HttpProtocol::Http10) ==
          "GET /x HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 127.0.0.1:18090\r\n\r\n");
    CHECK(buildRequest("/x", hostHeader(std::string("www.example.com"), ip, 80), conf::HttpProtocol::Http10) ==
          "GET /x HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: www.example.com\r\n\r\n");
    CHECK(buildRequest("/x", "h", conf::HttpProtocol::Http11) ==
          "GET /x HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: h\r\n\r\n");
    CHECK(buildRequest("/x", "h", conf::HttpProtocol::Http10Close) ==
          "GET /x HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: h\r\n\r\n");
    CHECK(hostHeader(std::nullopt, *conf::IpAddress::parse("::1"), 80) == "[::1]:80");
}

TEST_CASE("http: status_code lists and ranges") {
    struct Row {
        unsigned status;
        std::vector<conf::StatusRange> accepted;
        bool ok;
    };
    const std::vector<Row> rows = {
        {200, {}, true},          {299, {}, true},           {300, {}, false},          {199, {}, false},
        {404, {{404, 404}}, true}, {405, {{404, 404}}, false}, {302, {{200, 200}, {300, 399}}, true},
        {500, {{200, 200}, {300, 399}}, false},
    };
    for (const auto& r : rows) {
        INFO(r.status);
        CHECK(statusAccepted(r.status, r.accepted) == r.ok);
    }
}

TEST_CASE("http: judging a response: status, digest, regex") {
    conf::HttpUrl url;
    url.path = "/";
    CHECK(judgeResponse(url, 200, "x", nullptr).ok);
    auto v = judgeResponse(url, 503, "x", nullptr);
    CHECK_FALSE(v.ok);
    CHECK(v.reason == "HTTP status code 503");
    url.digest = md5("abc");
    CHECK(judgeResponse(url, 200, "abc", nullptr).ok);
    v = judgeResponse(url, 200, "abd", nullptr);
    CHECK_FALSE(v.ok);
    CHECK(v.reason.find("MD5 digest") == 0);

    conf::HttpUrl r;
    r.regex = "Status: (OK|GOOD)";
    std::string err;
    auto re = BodyRegex::compile(r, err);
    REQUIRE(re);
    CHECK(judgeResponse(r, 200, "xx Status: GOOD yy", re.get()).ok);
    CHECK_FALSE(judgeResponse(r, 200, "Status: bad", re.get()).ok);
    r.regexNoMatch = true;
    re = BodyRegex::compile(r, err);
    CHECK_FALSE(judgeResponse(r, 200, "Status: OK", re.get()).ok);
    CHECK(judgeResponse(r, 200, "Status: bad", re.get()).ok);
}

TEST_CASE("http: regex options, offsets and bad patterns") {
    conf::HttpUrl r;
    r.regex = "hello";
    std::string err;
    r.regexOptions = {"caseless"};
    auto re = BodyRegex::compile(r, err);
    REQUIRE(re);
    CHECK(re->passes("HeLLo"));
    r.regexOptions = {"caseless", "bogus"};
    CHECK_FALSE(BodyRegex::compile(r, err));
    CHECK(err == "regex option 'bogus' is not supported");
    r.regexOptions = {};
    r.regex = "(unclosed";
    CHECK_FALSE(BodyRegex::compile(r, err));
    CHECK(err.find("bad regex") == 0);
    r.regex = "needle";
    r.regexMinOffset = 10;
    re = BodyRegex::compile(r, err);
    CHECK_FALSE(re->passes("needle...................."));
    CHECK(re->passes("0123456789needle"));
    CHECK_FALSE(re->passes("short"));
    r.regexMinOffset.reset();
    r.regexMaxOffset = 3;  // a match must start at offset 0..3
    re = BodyRegex::compile(r, err);
    CHECK(re->passes("...needle"));
    CHECK_FALSE(re->passes("....needle"));
    // a catastrophic pattern on a large body hits PCRE2's match limit: a failed check, quickly
    std::string big(1024 * 1024, 'a');
    r.regexMaxOffset.reset();
    r.regex = "(a+)+b";
    re = BodyRegex::compile(r, err);
    REQUIRE(re);
    CHECK_FALSE(re->passes(big));
}

TEST_CASE("dns: query encoding") {
    std::string err;
    auto q = buildDnsQuery(0x1234, "example.com", dnsTypeCode(conf::DnsType::A), err);
    REQUIRE(q);
    const std::vector<std::uint8_t> expected = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
                                                7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
                                                0, 1, 0, 1};
    CHECK(*q == expected);
    auto root = buildDnsQuery(1, ".", dnsTypeCode(conf::DnsType::Soa), err);
    REQUIRE(root);
    CHECK(root->size() == 12 + 1 + 4);
    CHECK((*root)[14] == 6);
    CHECK_FALSE(buildDnsQuery(1, "a..b", 1, err));
    CHECK_FALSE(buildDnsQuery(1, std::string(64, 'x'), 1, err));
    std::string longName;
    for (int i = 0; i < 50; ++i) longName += "abcde.";
    CHECK_FALSE(buildDnsQuery(1, longName, 1, err));
    CHECK(err == "DNS name longer than 255 octets");
}

TEST_CASE("dns: reply checks") {
    std::string err;
    const auto q = *buildDnsQuery(0xabcd, "Example.com", 1, err);
    auto reply = q;
    reply[2] = 0x81;
    reply[3] = 0x80;
    reply[7] = 1;  // ANCOUNT 1
    const std::vector<std::uint8_t> answer = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1};
    reply.insert(reply.end(), answer.begin(), answer.end());
    CHECK(checkDnsReply(reply, q).empty());
    auto lowerCase = reply;
    lowerCase[13] = 'e';
    CHECK(checkDnsReply(lowerCase, q).empty());

    auto bad = reply;
    bad[1] ^= 1;
    CHECK(checkDnsReply(bad, q) == "DNS reply id mismatch");
    bad = reply;
    bad[3] = 0x83;
    CHECK(checkDnsReply(bad, q) == "DNS reply RCODE 3");
    bad = reply;
    bad[2] = 0x01;
    CHECK(checkDnsReply(bad, q) == "DNS reply is not a response (QR clear)");
    bad = reply;
    bad[7] = 0;
    CHECK(checkDnsReply(bad, q) == "DNS reply has no answer");
    bad = reply;
    bad[14] = 'z';
    CHECK(checkDnsReply(bad, q) == "DNS reply question differs from the query");
    CHECK(checkDnsReply(std::span(reply).first(5), q).find("shorter") != std::string::npos);
    CHECK(checkDnsReply(std::span(reply).first(20), q) == "DNS reply truncated in its question");
}

TEST_CASE("smtp: reply reader") {
    SmtpReplyReader r;
    CHECK(r.feed("220 mail.example ESMTP\r\n") == SmtpReplyReader::State::Complete);
    CHECK(r.code() == 220);
    r.reset();
    CHECK(r.feed("250-first\r\n250-sec") == SmtpReplyReader::State::Incomplete);
    CHECK(r.feed("ond\r\n250 last\r\n") == SmtpReplyReader::State::Complete);
    CHECK(r.code() == 250);
    r.reset();
    CHECK(r.feed("hello there\r\n") == SmtpReplyReader::State::Error);
    r.reset();
    CHECK(r.feed("250-a\r\n251 b\r\n") == SmtpReplyReader::State::Error);
    r.reset();
    CHECK(r.feed(std::string(9000, '2')) == SmtpReplyReader::State::Error);
    CHECK(smtpHelo("lb.example") == "HELO lb.example\r\n");
}

TEST_CASE("udp: reply length and masked contents") {
    conf::UdpCheck c;
    c.requireReply = true;
    c.replyData = {0xab, 0x12, 0x00};
    c.replyMask = {0x00, 0x0f, 0xff};
    const std::vector<std::uint8_t> good = {0xab, 0x1f, 0x77, 0x99};
    CHECK(checkUdpReply(good, c).empty());
    const std::vector<std::uint8_t> badByte = {0xab, 0x22};
    CHECK(checkUdpReply(badByte, c) == "UDP reply differs from require_reply at octet 1");
    c.minReplyLength = 3;
    CHECK(checkUdpReply(badByte, c).find("outside [3, 255]") != std::string::npos);
    c.maxReplyLength = 3;
    CHECK_FALSE(checkUdpReply(good, c).empty());
}
