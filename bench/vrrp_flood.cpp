// vrrp_flood: a bounded flood of VRRP adverts on one interface, for the flood test and the benchmark.
//
// usage: vrrp_flood DEV SOURCE VRID [--rate PPS] [--seconds S] [--max N] [--vip ADDR]
// Sends to 224.0.0.18 from SOURCE (an IPv4 raw socket with its own IP header, bound to DEV, no multicast
// loop back into this namespace) a round-robin mix of one packet per category, paced in 1 ms batches:
//   lower-priority  valid VRRPv3 advert, VRID, priority 1, address --vip (a master ignores it)
//   other-vrid      valid VRRPv3 advert for VRID+100 (vrid-mismatch)
//   truncated       4 octets of VRRP header (truncated)
//   bad-version     a valid advert with version 4 (unsupported-version)
//   wrong-ttl       valid advert, TTL 64 (ttl-not-255)
//   bad-checksum    valid advert, checksum off by one (bad-checksum)
//   garbage         8-40 pseudo-random octets (any reason but never a crash)
//   bad-auth        VRRPv2 advert for VRID+1 with simple password auth and a wrong password
// Stops after --seconds (default 5) or --max packets (default 1 000 000), whichever first, and prints
// one JSON line: packets sent per category, send errors, achieved rate.
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::array<std::string_view, 8> kCategories = {"lower-priority", "other-vrid", "truncated",
                                                         "bad-version",    "wrong-ttl",  "bad-checksum",
                                                         "garbage",        "bad-auth"};

std::uint16_t checksum(const std::uint8_t* data, std::size_t len, std::uint32_t sum = 0) {
    for (std::size_t i = 0; i + 1 < len; i += 2)
        sum += static_cast<std::uint32_t>(data[i] << 8 | data[i + 1]);
    if (len % 2) sum += static_cast<std::uint32_t>(data[len - 1] << 8);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum & 0xffff);
}

struct Packet {
    std::array<std::uint8_t, 64> bytes{};
    std::size_t size = 0;
};

// One IPv4 + VRRP packet of the given category; `random` feeds the garbage payload.
Packet build(std::size_t category, in_addr source, in_addr vip, int vrid, std::uint32_t& random) {
    Packet p;
    in_addr group{};
    ::inet_pton(AF_INET, "224.0.0.18", &group);
    std::uint8_t* ip = p.bytes.data();
    std::uint8_t* vrrp = ip + 20;
    std::size_t vrrpLen = 12;  // 8-octet header + one IPv4 address
    vrrp[0] = 0x31;            // version 3, type 1
    vrrp[1] = static_cast<std::uint8_t>(category == 1 ? (vrid + 100) % 256 : vrid);
    vrrp[2] = 1;  // priority
    vrrp[3] = 1;  // count
    vrrp[4] = 0;
    vrrp[5] = 10;  // max advert int 10 cs
    std::memcpy(vrrp + 8, &vip, 4);
    if (category == 3) vrrp[0] = 0x41;  // version 4
    if (category == 2) vrrpLen = 4;     // truncated
    if (category == 7) {                // VRRPv2 for VRID+1, simple password auth, a wrong password
        vrrp[0] = 0x21;
        vrrp[1] = static_cast<std::uint8_t>((vrid + 1) % 256);
        vrrp[4] = 1;  // auth type 1: simple text password
        vrrp[5] = 1;  // advert interval 1 s
        std::memcpy(vrrp + 12, "wrongpw!", 8);
        vrrpLen = 20;
        std::uint16_t c = checksum(vrrp, vrrpLen);  // RFC 3768 5.3.8: the VRRP message only
        vrrp[6] = static_cast<std::uint8_t>(c >> 8);
        vrrp[7] = static_cast<std::uint8_t>(c & 0xff);
    } else if (category == 6) {
        random = random * 1664525u + 1013904223u;
        vrrpLen = 8 + (random >> 24) % 33;
        for (std::size_t i = 0; i < vrrpLen; ++i) {
            random = random * 1664525u + 1013904223u;
            vrrp[i] = static_cast<std::uint8_t>(random >> 24);
        }
    } else if (vrrpLen >= 8) {
        // RFC 5798 5.2.8: over the pseudo-header (source, destination, zero, protocol, VRRP length)
        std::array<std::uint8_t, 12> pseudo{};
        std::memcpy(pseudo.data(), &source, 4);
        std::memcpy(pseudo.data() + 4, &group, 4);
        pseudo[9] = 112;
        pseudo[11] = static_cast<std::uint8_t>(vrrpLen);
        std::uint32_t sum = 0;
        for (std::size_t i = 0; i < pseudo.size(); i += 2)
            sum += static_cast<std::uint32_t>(pseudo[i] << 8 | pseudo[i + 1]);
        std::uint16_t c = checksum(vrrp, vrrpLen, sum);
        if (category == 5) c = static_cast<std::uint16_t>(c + 1);
        vrrp[6] = static_cast<std::uint8_t>(c >> 8);
        vrrp[7] = static_cast<std::uint8_t>(c & 0xff);
    }
    p.size = 20 + vrrpLen;
    ip[0] = 0x45;
    ip[2] = static_cast<std::uint8_t>(p.size >> 8);
    ip[3] = static_cast<std::uint8_t>(p.size & 0xff);
    ip[8] = category == 4 ? 64 : 255;
    ip[9] = 112;
    std::memcpy(ip + 12, &source, 4);
    std::memcpy(ip + 16, &group, 4);  // the kernel fills the IP checksum and ID for IP_HDRINCL
    return p;
}

double now() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int usage() {
    std::fprintf(stderr,
                 "usage: vrrp_flood DEV SOURCE VRID [--rate PPS] [--seconds S] [--max N] [--vip ADDR]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) return usage();
    std::string dev = argv[1];
    in_addr source{};
    if (::inet_pton(AF_INET, argv[2], &source) != 1) return usage();
    in_addr vip = source;  // the advert's address list (its one IPv4 address)
    int vrid = std::atoi(argv[3]);
    if (vrid < 1 || vrid > 255) return usage();
    double rate = 100000, seconds = 5;
    long max = 1000000;
    for (int i = 4; i + 1 < argc; i += 2) {
        std::string_view opt = argv[i];
        if (opt == "--rate")
            rate = std::atof(argv[i + 1]);
        else if (opt == "--seconds")
            seconds = std::atof(argv[i + 1]);
        else if (opt == "--max")
            max = std::atol(argv[i + 1]);
        else if (opt == "--vip" && ::inet_pton(AF_INET, argv[i + 1], &vip) == 1)
            continue;
        else
            return usage();
    }
    if (rate <= 0 || rate > 1e7 || seconds <= 0 || seconds > 60 || max <= 0) return usage();

    int fd = ::socket(AF_INET, SOCK_RAW, IPPROTO_RAW);  // IPPROTO_RAW implies IP_HDRINCL
    if (fd < 0) {
        std::perror("socket");
        return 1;
    }
    if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev.c_str(), static_cast<socklen_t>(dev.size())) != 0) {
        std::perror("SO_BINDTODEVICE");
        return 1;
    }
    const unsigned char loop = 0;
    ::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop);
    ip_mreqn mreq{};
    mreq.imr_ifindex = static_cast<int>(::if_nametoindex(dev.c_str()));
    ::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof mreq);
    const int sndbuf = 4 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);

    sockaddr_in to{};
    to.sin_family = AF_INET;
    ::inet_pton(AF_INET, "224.0.0.18", &to.sin_addr);
    std::uint32_t random = 12345;
    std::array<long, kCategories.size()> sent{};
    long errors = 0, total = 0;
    const double start = now(), end = start + seconds;
    const long perBatch = static_cast<long>(rate / 1000.0) > 0 ? static_cast<long>(rate / 1000.0) : 1;
    const double batchPeriod = static_cast<double>(perBatch) / rate;
    std::vector<Packet> packets(static_cast<std::size_t>(perBatch));
    std::vector<mmsghdr> msgs(packets.size());
    std::vector<iovec> iovs(packets.size());
    double next = start;
    while (total < max && now() < end) {
        std::size_t n = 0;
        std::array<long, kCategories.size()> batch{};
        for (; n < packets.size() && total + static_cast<long>(n) < max; ++n) {
            std::size_t category =
                static_cast<std::size_t>(total + static_cast<long>(n)) % kCategories.size();
            packets[n] = build(category, source, vip, vrid, random);
            ++batch[category];
            iovs[n] = {packets[n].bytes.data(), packets[n].size};
            msgs[n] = {};
            msgs[n].msg_hdr.msg_name = &to;
            msgs[n].msg_hdr.msg_namelen = sizeof to;
            msgs[n].msg_hdr.msg_iov = &iovs[n];
            msgs[n].msg_hdr.msg_iovlen = 1;
        }
        int done = ::sendmmsg(fd, msgs.data(), static_cast<unsigned>(n), 0);
        if (done < static_cast<int>(n)) errors += static_cast<long>(n) - (done < 0 ? 0 : done);
        // count what the kernel took; a partial batch is rare (ENOBUFS) and counted as errors
        if (done == static_cast<int>(n))
            for (std::size_t c = 0; c < sent.size(); ++c) sent[c] += batch[c];
        total += static_cast<long>(n);
        next += batchPeriod;
        double wait = next - now();
        if (wait > 0) {
            timespec ts{static_cast<time_t>(wait),
                        static_cast<long>((wait - static_cast<double>(static_cast<time_t>(wait))) * 1e9)};
            ::nanosleep(&ts, nullptr);
        }
    }
    double elapsed = now() - start;
    ::close(fd);
    std::printf("{");
    for (std::size_t c = 0; c < kCategories.size(); ++c)
        std::printf("\"%.*s\": %ld, ", static_cast<int>(kCategories[c].size()), kCategories[c].data(),
                    sent[c]);
    std::printf("\"errors\": %ld, \"attempted\": %ld, \"seconds\": %.3f, \"rate\": %.0f}\n", errors, total,
                elapsed, elapsed > 0 ? static_cast<double>(total - errors) / elapsed : 0.0);
    return 0;
}
