#include "lbctl/restore.h"

#include "lbctl/errors.h"

#include <istream>
#include <ostream>
#include <vector>

namespace ipvsd::lbctl {

namespace {

// At most this many table changes wait for one kernel batch (bounds memory on endless input; the port
// splits a batch into sendmsg() calls by itself).
constexpr std::size_t kMaxBatch = 16384;

std::vector<std::string> splitBlanks(const std::string& line) {
    std::vector<std::string> words;
    // ipvsadm also splits at a NUL byte (measured: "-A -t V:80\\0 -s rr" adds an rr service).
    constexpr std::string_view kBlanks{" \t\r\n\v\f\0", 7};
    std::size_t pos = 0;
    while (pos < line.size()) {
        const std::size_t start = line.find_first_not_of(kBlanks, pos);
        if (start == std::string::npos) break;
        std::size_t end = line.find_first_of(kBlanks, start);
        if (end == std::string::npos) end = line.size();
        words.emplace_back(line.substr(start, end - start));
        pos = end;
    }
    return words;
}

std::string tryHelpText(std::string_view program) {
    return "Try `" + std::string(program) + " -h' or '" + std::string(program) +
           " --help' for more information.\n";
}

// A popt-level error ("ITEM: unknown option", "ITEM: missing argument", ...) has status 255 and no
// "Try" line; in a restore ipvsadm reports it and reads on. Every other parse error ends the restore.
bool continuesRestore(const Exit& exit) {
    return exit.status == 255 && !exit.err.starts_with("Try `");
}

class Restorer {
  public:
    Restorer(std::string_view program, std::string_view version, Environment& env, const Streams& io)
        : program_(program), version_(version), env_(env), io_(io) {}

    int run() {
        std::string line;
        while (std::getline(io_.in, line)) {
            if (auto stop = runLine(splitBlanks(line))) return *stop;
        }
        flush();
        return status_;
    }

  private:
    struct Step {
        std::optional<std::size_t> op;  // index into ops_, or an output decided at parse time
        std::string out;
        std::string err;
        int status = 0;
    };

    // Returns the exit status when the restore stops at this line.
    std::optional<int> runLine(const std::vector<std::string>& words) {
        if (words.empty()) return std::nullopt;
        const ParseOutcome outcome = parseCommandLine(words, program_, env_.resolvers);
        if (const auto* exit = std::get_if<Exit>(&outcome)) {
            if (continuesRestore(*exit)) {
                steps_.push_back(Step{std::nullopt, exit->out, exit->err, exit->status});
                return std::nullopt;
            }
            flush();
            io_.out << exit->out;
            io_.err << exit->err;
            return exit->status;
        }
        if (const auto* which = std::get_if<Info>(&outcome)) {
            flush();
            io_.out << (*which == Info::Help ? helpText(program_, version_) : versionText(version_));
            return 0;
        }
        const auto& command = std::get<ParsedCommand>(outcome);
        if (command.command == Command::Restore) {
            flush();
            io_.err << tryHelpText(program_);
            return 255;
        }
        if (auto op = tableChange(command)) {
            steps_.push_back(Step{ops_.size(), {}, {}, 0});
            ops_.push_back(std::move(*op));
            if (ops_.size() >= kMaxBatch) flush();
            return std::nullopt;
        }
        // A listing or a save reads the table: everything before it must be applied first.
        flush();
        status_ = runCommand(command, program_, env_, io_);
        return std::nullopt;
    }

    // Applies the waiting table changes in one batch and prints every waiting line's outcome in order.
    void flush() {
        std::optional<Result<ipvs::ApplyReport>> report;
        if (!ops_.empty()) report.emplace(env_.port.apply(ops_));
        for (const Step& step : steps_) {
            if (!step.op) {
                io_.out << step.out;
                io_.err << step.err;
                status_ = step.status;
                continue;
            }
            const Error* failure = nullptr;
            if (!report->ok()) {
                failure = &report->error();
            } else if (*step.op < report->value().outcomes.size()) {
                const Status& outcome = report->value().outcomes[*step.op];
                if (!outcome) failure = &outcome.error();
            }
            if (failure == nullptr) {
                status_ = 0;
                continue;
            }
            io_.err << kernelErrorMessage(ipvs::operationName(ops_[*step.op]), failure->errnum) << "\n";
            status_ = kStatusKernelFailure;
        }
        steps_.clear();
        ops_.clear();
    }

    std::string_view program_;
    std::string_view version_;
    Environment& env_;
    const Streams& io_;
    std::vector<ipvs::IpvsOp> ops_;
    std::vector<Step> steps_;
    int status_ = 0;
};

}  // namespace

int runRestore(std::string_view program, std::string_view ipvsVersion, Environment& env, const Streams& io) {
    return Restorer(program, ipvsVersion, env, io).run();
}

}  // namespace ipvsd::lbctl
