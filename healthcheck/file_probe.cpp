// FILE_CHECK: reads the number in the track file (at most 64 octets of a regular file: no blocking
// device reads on the loop). A missing, empty or non-numeric file reads as 0. The tracker applies the
// weight rules (tracker.h).
#include "healthcheck/attempt.h"
#include "healthcheck/probes.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sys/stat.h>

namespace ipvsd::healthcheck {

namespace {

std::int64_t readTrackFile(const std::string& path, std::string& note) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        note = " (missing)";
        return 0;
    }
    if (!S_ISREG(st.st_mode)) {
        note = " (not a regular file)";
        return 0;
    }
    std::ifstream in(path, std::ios::binary);
    std::string text(64, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (end == text.c_str() || errno == ERANGE) {
        note = " (not a number)";
        return 0;
    }
    return v;
}

class FileAttempt : public Attempt {
public:
    FileAttempt(asio::io_context& io, std::shared_ptr<const std::string> path)
        : Attempt(io, ProbeTarget{}), path_(std::move(path)) {}

private:
    void run() override {
        asio::post(io_, [self = shared_from_this(), this] {
            if (finished()) return;
            std::string note;
            const std::int64_t value = readTrackFile(*path_, note);
            finish(true, "track file " + *path_ + " = " + std::to_string(value) + note, value);
        });
    }
    void closeAll() override {}

    std::shared_ptr<const std::string> path_;
};

}  // namespace

std::unique_ptr<Probe> makeFileProbe(asio::io_context& io, std::string path) {
    auto shared = std::make_shared<const std::string>(std::move(path));
    return std::make_unique<AttemptProbe>([&io, shared] { return std::make_shared<FileAttempt>(io, shared); });
}

}  // namespace ipvsd::healthcheck
