#include "conf/line_reader.h"

#include <fmt/format.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ipvsd::conf {

namespace {

constexpr std::string_view kBlanks = " \t";

bool isBlank(char c) { return c == ' ' || c == '\t'; }
bool isBrace(char c) { return c == '{' || c == '}'; }
bool isNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool isNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

void trimTrailingBlanks(std::string& s) {
    while (!s.empty() && isBlank(s.back())) s.pop_back();
}

std::string directoryOf(const std::string& path) {
    auto parent = std::filesystem::path(path).parent_path();
    if (parent.empty()) return std::filesystem::current_path().string();
    std::error_code ec;
    auto abs = std::filesystem::absolute(parent, ec);
    return ec ? parent.string() : abs.lexically_normal().string();
}

// Expands csh-style braces ("a{b,c}d" -> "abd", "acd") for the includeb check.
std::vector<std::string> expandBraces(const std::string& pattern) {
    auto open = pattern.find('{');
    if (open == std::string::npos) return {pattern};
    int depth = 0;
    std::vector<std::size_t> commas;
    std::size_t close = std::string::npos;
    for (std::size_t i = open; i < pattern.size(); ++i) {
        if (pattern[i] == '{') ++depth;
        else if (pattern[i] == '}' && --depth == 0) {
            close = i;
            break;
        } else if (pattern[i] == ',' && depth == 1) commas.push_back(i);
    }
    if (close == std::string::npos) return {pattern};
    std::vector<std::string> out;
    std::size_t start = open + 1;
    commas.push_back(close);
    for (auto end : commas) {
        auto alt = pattern.substr(0, open) + pattern.substr(start, end - start) + pattern.substr(close + 1);
        for (auto& e : expandBraces(alt)) out.push_back(std::move(e));
        start = end + 1;
    }
    return out;
}

std::vector<std::string> globFiles(const std::string& pattern, int& result) {
    glob_t g{};
    result = ::glob(pattern.c_str(), GLOB_MARK | GLOB_BRACE, nullptr, &g);
    std::vector<std::string> out;
    if (result == 0)
        for (std::size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    ::globfree(&g);
    return out;
}

}  // namespace

struct FileCloser {
    void operator()(std::FILE* f) const {
        if (f) std::fclose(f);
    }
};

// A file being read (or waiting to be read: the later matches of a glob are opened when their turn comes).
// Files are streamed through fgets() with keepalived's buffer size, so memory does not grow with file size.
struct LineReader::File {
    std::string path;
    std::string dir;
    std::uint32_t fileIndex = 0;
    std::uint32_t line = 0;
    std::string memory;  // the text of an in-memory configuration (read through fmemopen)
    std::unique_ptr<std::FILE, FileCloser> stream;
    bool opened = false;
    bool fromMemory = false;
};

void LineReader::initDefinitions() {
    auto seed = options_.randomSeed.value_or(
        static_cast<std::uint32_t>(std::chrono::system_clock::now().time_since_epoch().count()));
    rng_.seed(seed);
    definitions_["_PWD"] = Definition{{}, false, Definition::Builtin::Pwd};
    definitions_["_INSTANCE"] = Definition{{}, false, Definition::Builtin::Instance};
    definitions_["_RANDOM"] = Definition{{}, false, Definition::Builtin::Random};
    definitions_["_HASH"] = Definition{"#", false, Definition::Builtin::None};
    definitions_["_BANG"] = Definition{"!", false, Definition::Builtin::None};
}

LineReader::LineReader(std::string mainFile, ReaderOptions options, Diagnostics& diagnostics)
    : options_(std::move(options)), diag_(diagnostics) {
    initDefinitions();
    // The -f argument is a glob too. keepalived -t exits 0 when it matches no readable file; ipvsd calls
    // that an error: a check of a configuration that is not there must not pass.
    int rc = 0;
    auto matches = globFiles(mainFile, rc);
    std::erase_if(matches, [](const std::string& m) { return !m.empty() && m.back() == '/'; });
    if (matches.empty()) {
        mainFileMissing_ = true;
        diag_.error(Location{}, fmt::format("Unable to read configuration file '{}': no such file", mainFile));
        return;
    }
    if (matches.size() > 1)
        diag_.adjusted(Location{}, fmt::format("WARNING, multiple configuration file matches of {}, starting with {}",
                                            mainFile, matches.front()));
    for (auto it = matches.rbegin(); it != matches.rend(); ++it) {
        struct stat st {};
        if (::stat(it->c_str(), &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
            diag_.error(Location{}, fmt::format("Configuration file '{}' is not a regular non-executable file", *it));
            mainFileMissing_ = true;
            continue;
        }
        if (::access(it->c_str(), R_OK) != 0) {
            diag_.error(Location{}, fmt::format("Unable to read configuration file '{}': {}", *it, std::strerror(errno)));
            mainFileMissing_ = true;
            continue;
        }
        pushFile(*it, {}, false);
    }
}

LineReader::~LineReader() = default;

LineReader::LineReader(InMemoryText input, ReaderOptions options, Diagnostics& diagnostics)
    : options_(std::move(options)), diag_(diagnostics) {
    initDefinitions();
    pushFile(input.name, std::move(input.text), true);
    files_.back()->dir = std::move(input.baseDir);
}

void LineReader::pushFile(const std::string& path, std::string memory, bool fromMemory) {
    auto file = std::make_unique<File>();
    file->path = path;
    file->dir = directoryOf(path);
    file->fileIndex = diag_.addFile(path);
    file->memory = std::move(memory);
    file->fromMemory = fromMemory;
    files_.push_back(std::move(file));
}

Location LineReader::location() const { return lastLocation_; }

std::optional<std::string> LineReader::readPhysicalLine() {
    while (!files_.empty()) {
        File& f = *files_.back();
        if (!f.opened) {
            f.opened = true;
            if (f.fromMemory) {
                if (!f.memory.empty()) f.stream.reset(::fmemopen(f.memory.data(), f.memory.size(), "r"));
            } else {
                f.stream.reset(std::fopen(f.path.c_str(), "re"));
                if (!f.stream)
                    diag_.info(lastLocation_, fmt::format("Configuration file '{}' open problem ({}) - skipping",
                                                          f.path, std::strerror(errno)));
            }
            if (f.stream) ++filesOpened_;
        }
        // keepalived reads with fgets() into a 1024-byte buffer: a physical line longer than 1023 bytes
        // comes in pieces, each processed as a line of its own; the line count moves at the newline, and
        // a NUL byte ends what is seen of the piece.
        char buf[kMaxLineLength + 1];
        if (!f.stream || !std::fgets(buf, sizeof buf, f.stream.get())) {
            files_.pop_back();
            sequences_.clear();  // keepalived forgets pending ~SEQ loops at the end of each file
            continue;
        }
        std::size_t len = std::strlen(buf);
        lastLocation_ = Location{f.fileIndex, f.line + 1};
        if (len > 0 && buf[len - 1] == '\n') ++f.line;
        while (len > 0 && (buf[len - 1] == '\r' || buf[len - 1] == '\n')) --len;
        return std::string(buf, len);
    }
    return std::nullopt;
}

// Removes comments (`!` or `#` outside double quotes), the escaping of comment characters, leading and
// trailing blanks, keeping a trailing `\` that marks a continued multi-line definition.
void LineReader::decomment(std::string& s) {
    auto first = s.find_first_not_of(kBlanks);
    s.erase(0, first == std::string::npos ? s.size() : first);
    bool quote = false;
    bool continued = false;
    std::size_t comment = std::string::npos;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '"') {
            if (comment == std::string::npos) quote = !quote;
        } else if (c == '\\') {
            if (i + 1 < s.size()) {
                if (!quote && (s[i + 1] == '#' || s[i + 1] == '!')) s.erase(i, 1);
                else ++i;
            } else {
                s.resize(i);
                continued = true;
                break;
            }
        } else if ((c == '!' || c == '#') && !quote && comment == std::string::npos) {
            comment = i;
        }
    }
    if (quote) diag_.error(lastLocation_, fmt::format("Unterminated quote '{}'", s));
    if (comment != std::string::npos && comment < s.size()) s.resize(comment);
    trimTrailingBlanks(s);
    if (continued) s.push_back('\\');
}

// `$NAME=value`: no blanks between the name and `=` (keepalived treats `$NAME = x` as an ordinary line).
bool LineReader::tryDefinition(const std::string& line) {
    if (line.size() < 2 || line[0] != '$' || !isNameStart(line[1])) return false;
    std::size_t p = 2;
    while (p < line.size() && line[p] != '=') {
        if (!isNameChar(line[p])) return false;
        ++p;
    }
    if (p >= line.size()) return false;
    std::string name = line.substr(1, p - 1);
    std::string value = line.substr(p + 1);
    value.erase(0, std::min(value.find_first_not_of(kBlanks), value.size()));
    Definition def;
    if (!value.empty() && value.back() == '\\') {
        value.pop_back();
        trimTrailingBlanks(value);
        if (!value.empty()) value.push_back('\n');
        def.multiline = true;
    }
    def.value = std::move(value);
    auto& slot = definitions_[name];
    slot = std::move(def);
    if (slot.multiline) collectingDefinition_ = &slot.value;
    return true;
}

// `~SEQ(var, end)`, `~SEQ(var, start, end)`, `~SEQ(var, start, step, end)`, `~SEQx(...)` for hex output.
bool LineReader::trySequence(const std::string& line) {
    if (line.rfind("~SEQ", 0) != 0) return false;
    auto invalid = [&](std::string_view what) {
        diag_.error(lastLocation_, fmt::format("{} '{}'", what, line));
        return true;
    };
    std::size_t p = 4;
    bool hex = p < line.size() && line[p] == 'x';
    if (hex) ++p;
    while (p < line.size() && isBlank(line[p])) ++p;
    if (p >= line.size() || line[p] != '(') return invalid("Invalid ~SEQ specification");
    ++p;
    while (p < line.size() && isBlank(line[p])) ++p;
    std::size_t varStart = p;
    while (p < line.size() && !isBlank(line[p]) && line[p] != ',' && line[p] != ')') ++p;
    std::string var = line.substr(varStart, p - varStart);
    while (p < line.size() && isBlank(line[p])) ++p;
    if (var.empty() || p >= line.size() || line[p] != ',') return invalid("Invalid ~SEQ definition");
    auto close = line.find(')', p);
    if (close == std::string::npos) return invalid("Invalid ~SEQ definition");
    std::string params = line.substr(p + 1, close - p - 1);
    if (params.find('$') != std::string::npos && substitute(params) && params.find('\n') != std::string::npos)
        return invalid("~SEQ parameter is multiline definition");
    std::vector<long> numbers;
    const char* cur = params.c_str();
    for (;;) {
        char* endp = nullptr;
        numbers.push_back(std::strtol(cur, &endp, 0));
        cur = endp;
        while (isBlank(*cur)) ++cur;
        if (*cur == '\0') break;
        if (*cur != ',' || numbers.size() == 3) return invalid("Invalid ~SEQ definition");
        ++cur;
    }
    long start, step, last;
    if (numbers.size() == 1) {
        last = numbers[0];
        step = last < 1 ? -1 : 1;
        start = last < 0 ? -1 : 1;
    } else if (numbers.size() == 2) {
        start = numbers[0];
        last = numbers[1];
        step = start <= last ? 1 : -1;
    } else {
        start = numbers[0];
        step = numbers[1];
        last = numbers[2];
        if (step == 0 || (start < last && step < 0) || (start > last && step > 0))
            return invalid("Invalid ~SEQ values");
    }
    if (hex && (start < 0 || last < 0)) return invalid("~SEQx is only valid for positive numbers");
    // The count of values, computed without overflow: more than the limit is refused.
    unsigned long long span = start <= last ? static_cast<unsigned long long>(last) - static_cast<unsigned long long>(start)
                                            : static_cast<unsigned long long>(start) - static_cast<unsigned long long>(last);
    unsigned long long stepSize = step < 0 ? 0ULL - static_cast<unsigned long long>(step) : static_cast<unsigned long long>(step);
    if (span / stepSize >= kMaxGeneratedLines) return invalid("~SEQ repeats more than 1000000 times");
    std::size_t textStart = close + 1;
    while (textStart < line.size() && isBlank(line[textStart])) ++textStart;
    Sequence seq;
    seq.vars = {var};
    seq.next = start;
    seq.step = step;
    seq.last = last;
    seq.hex = hex;
    seq.text = line.substr(textStart);
    seq.chain = currentChain_;
    sequences_.push_back(std::move(seq));
    return true;
}

// `~LST(var, v1, v2, ...) TEXT` or `~LST({a, b}, {1, 2}, {3, 4}) TEXT`: TEXT once per value (tuple).
bool LineReader::tryList(const std::string& line) {
    if (line.rfind("~LST", 0) != 0) return false;
    auto invalid = [&] {
        diag_.error(lastLocation_, fmt::format("Invalid ~LST specification '{}'", line));
        return true;
    };
    std::size_t p = 4;
    auto skipBlanks = [&] {
        while (p < line.size() && isBlank(line[p])) ++p;
    };
    skipBlanks();
    if (p >= line.size() || line[p] != '(') return invalid();
    ++p;
    // One item: a word, or {w, w, ...}.
    auto item = [&](std::vector<std::string>& out) -> bool {
        skipBlanks();
        if (p < line.size() && line[p] == '{') {
            ++p;
            for (;;) {
                skipBlanks();
                std::size_t start = p;
                while (p < line.size() && !isBlank(line[p]) && line[p] != ',' && line[p] != '}') ++p;
                out.push_back(line.substr(start, p - start));
                skipBlanks();
                if (p >= line.size()) return false;
                if (line[p] == '}') {
                    ++p;
                    return true;
                }
                if (line[p] != ',') return false;
                ++p;
            }
        }
        std::size_t start = p;
        while (p < line.size() && !isBlank(line[p]) && line[p] != ',' && line[p] != ')') ++p;
        if (p == start) return false;
        out.push_back(line.substr(start, p - start));
        return true;
    };
    Sequence seq;
    if (!item(seq.vars)) return invalid();
    for (;;) {
        skipBlanks();
        if (p >= line.size()) return invalid();
        if (line[p] == ')') break;
        if (line[p] != ',') return invalid();
        ++p;
        std::vector<std::string> values;
        if (!item(values) || values.size() != seq.vars.size()) return invalid();
        seq.list.push_back(std::move(values));
    }
    ++p;
    skipBlanks();
    if (seq.list.empty()) return true;
    seq.text = line.substr(p);
    seq.chain = currentChain_;
    sequences_.push_back(std::move(seq));
    return true;
}

const LineReader::Definition* LineReader::findDefinition(std::string_view name) const {
    auto it = definitions_.find(name);
    return it == definitions_.end() ? nullptr : &it->second;
}

std::string LineReader::expandBuiltin(const Definition& def, std::string_view params) {
    switch (def.builtin) {
        case Definition::Builtin::Pwd:
            return files_.empty() ? std::filesystem::current_path().string() : files_.back()->dir;
        case Definition::Builtin::Instance: return options_.configId;
        case Definition::Builtin::Random: {
            unsigned long lo = 0, hi = 32767;
            std::istringstream in{std::string(params)};
            unsigned long a = 0, b = 0;
            if (in >> a) {
                lo = a;
                if (in >> b) hi = b;
            }
            if (hi < lo) std::swap(lo, hi);
            std::uniform_int_distribution<unsigned long> dist(lo, hi);
            return std::to_string(dist(rng_));
        }
        case Definition::Builtin::None: break;
    }
    return def.value;
}

// Replaces `$NAME` (followed by a blank, `,`, `)` or the end of the line) and `${NAME}` in place; keepalived
// rescans the replacement, so definitions may refer to definitions. A multi-line definition is only expanded
// when its use ends the line: its first line replaces the use, the rest follow as lines of their own.
bool LineReader::substitute(std::string& line) {
    bool found = false;
    std::size_t cur = 0;
    std::size_t substitutions = 0;
    while ((cur = line.find('$', cur)) != std::string::npos && cur + 1 < line.size()) {
        std::size_t p = cur + 1;
        bool braces = line[p] == '{';
        if (braces) ++p;
        if (p >= line.size() || !isNameStart(line[p])) {
            ++cur;
            continue;
        }
        std::size_t nameStart = p;
        while (p < line.size() && isNameChar(line[p])) ++p;
        std::string_view name(line.data() + nameStart, p - nameStart);
        std::string_view params;
        std::size_t useEnd;  // one past the whole use
        if (braces) {
            std::size_t paramStart = p;
            while (p < line.size() && (line[p] == ' ' || std::isdigit(static_cast<unsigned char>(line[p])))) ++p;
            params = std::string_view(line.data() + paramStart, p - paramStart);
            if (!params.empty() && params.back() == ' ' && params.find_first_not_of(' ') != std::string::npos) {
                ++cur;
                continue;
            }
            if (p >= line.size() || line[p] != '}') {
                ++cur;
                continue;
            }
            useEnd = p + 1;
        } else {
            if (p < line.size() && line[p] != ' ' && line[p] != '\t' && line[p] != ',' && line[p] != ')') {
                ++cur;
                continue;
            }
            useEnd = p;
        }
        bool allowMultiline = useEnd == line.size();
        const Definition* def = findDefinition(name);
        bool hasParams = params.find_first_not_of(' ') != std::string_view::npos;
        if (!def || (def->multiline && !allowMultiline) ||
            (hasParams && def->builtin != Definition::Builtin::Random)) {
            ++cur;
            continue;
        }
        if (++substitutions > kMaxSubstitutions) {
            diag_.error(lastLocation_, "too many definition substitutions on one line (a definition refers to itself?)");
            line.clear();
            return true;
        }
        found = true;
        std::string value = def->builtin == Definition::Builtin::None ? def->value : expandBuiltin(*def, params);
        if (def->multiline &&
            std::find(currentChain_.begin(), currentChain_.end(), name) != currentChain_.end()) {
            diag_.error(lastLocation_, fmt::format("multi-line definition ${} uses itself - not expanded", name));
            line.clear();
            return true;
        }
        if (def->multiline) {
            Pending pending;
            pending.chain = currentChain_;
            pending.chain.emplace_back(name);
            std::size_t nl = value.find('\n');
            std::string first = value.substr(0, nl);
            if (nl != std::string::npos) {
                std::string rest = value.substr(nl + 1);
                std::size_t start = 0;
                while (start <= rest.size()) {
                    auto e = rest.find('\n', start);
                    if (e == std::string::npos) {
                        if (start < rest.size()) pending.lines.push_back(rest.substr(start));
                        break;
                    }
                    pending.lines.push_back(rest.substr(start, e - start));
                    start = e + 1;
                }
            }
            pending.seqDepth = sequences_.size();
            if (!pending.lines.empty()) {
                if (pendingMultiline_.size() >= kMaxMultilineDepth) {
                    diag_.error(lastLocation_, fmt::format("multi-line definition ${} nested more than {} deep "
                                                           "(does it use itself?)", name, kMaxMultilineDepth));
                    pendingMultiline_.clear();
                    line.clear();
                    return true;
                }
                pendingMultiline_.push_back(std::move(pending));
            }
            value = std::move(first);
        }
        line.replace(cur, useEnd - cur, value);
        if (line.size() > 64 * kMaxLineLength) {
            diag_.error(lastLocation_, "line too long after definition substitution");
            line.clear();
            return true;
        }
        auto firstNonBlank = value.find_first_not_of(kBlanks);
        if (firstNonBlank != std::string::npos && value[firstNonBlank] == '~') break;
    }
    return found;
}

// `include PATTERN` and the checked variants: the keyword, blanks, then the rest of the line verbatim as one
// glob pattern (quotes are not removed). keepalived 2.2.7 checks, per variant (docs/keepalived-config-facts.md
// section 7.2): R = every match is a readable regular non-executable file, M = the pattern names something
// that exists, W = a wildcard matches something, B = every brace alternative exists. A failed check is an
// error; an unchecked problem is only an informational message.
bool LineReader::tryInclude(const std::string& line) {
    if (line.rfind("include", 0) != 0) return false;
    std::size_t k = 7;
    if (k < line.size() && std::string_view("rmwba").find(line[k]) != std::string_view::npos) ++k;
    if (k >= line.size() || !isBlank(line[k])) return false;
    std::string_view variant(line.data(), k);
    std::string pattern = line.substr(line.find_first_not_of(kBlanks, k));
    if (!options_.includesAllowed) {
        diag_.error(lastLocation_, fmt::format("{} '{}': includes are not allowed here", variant, pattern));
        return true;
    }
    IncludeChecks checks = defaultChecks_;
    checks.readable |= variant != "include";
    checks.match |= variant == "includem" || variant == "includew" || variant == "includea";
    checks.wildcard |= variant == "includew" || variant == "includea";
    checks.braces |= variant == "includeb" || variant == "includea";
    std::string base = files_.empty() ? std::filesystem::current_path().string() : files_.back()->dir;
    openFiles(pattern, base, checks);
    return true;
}

void LineReader::openFiles(const std::string& pattern, const std::string& baseDir, IncludeChecks checks) {
    auto problem = [&](bool checked, std::string message) {
        if (checked)
            diag_.error(lastLocation_, std::move(message));
        else
            diag_.info(lastLocation_, std::move(message));
    };
    std::string full = !pattern.empty() && pattern[0] == '/' ? pattern : baseDir + "/" + pattern;
    bool hasBraces = pattern.find('{') != std::string::npos;
    bool hasWildcard = pattern.find_first_of("*?[") != std::string::npos;
    int rc = 0;
    auto matches = globFiles(full, rc);
    if (matches.empty()) {
        std::error_code ec;
        auto parent = std::filesystem::path(full).parent_path();
        bool parentExists = std::filesystem::is_directory(parent, ec);
        if (hasBraces)
            problem(checks.braces, fmt::format("Some config files missing: \"{}\".", pattern));
        else if (hasWildcard && parentExists)
            problem(checks.wildcard, fmt::format("No config files matched '{}'.", pattern));
        else
            problem(checks.match, fmt::format("Config files missing '{}'.", pattern));
        return;
    }
    if (hasBraces && checks.braces) {
        for (const auto& alternative : expandBraces(full)) {
            int altRc = 0;
            if (globFiles(alternative, altRc).empty()) {
                diag_.error(lastLocation_, fmt::format("Some config files missing: \"{}\".", pattern));
                break;
            }
        }
    }
    if (files_.size() >= kMaxIncludeDepth) {
        problem(checks.readable, fmt::format("include '{}': includes nested more than {} deep - skipping", pattern,
                                             kMaxIncludeDepth));
        return;
    }
    std::vector<std::unique_ptr<File>> toRead;
    for (const auto& m : matches) {
        if (!m.empty() && m.back() == '/') {
            problem(checks.readable, fmt::format("Configuration file '{}' is a directory - skipping", m));
            continue;
        }
        struct stat st {};
        if (::stat(m.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
            problem(checks.readable, fmt::format("Configuration file '{}' is not a regular non-executable file - skipping", m));
            continue;
        }
        if (::access(m.c_str(), R_OK) != 0) {
            problem(checks.readable, fmt::format("Configuration file '{}' open problem ({}) - skipping", m,
                                                 std::strerror(errno)));
            continue;
        }
        std::error_code ec;
        auto canonical = std::filesystem::weakly_canonical(m, ec).string();
        bool loop = std::any_of(files_.begin(), files_.end(), [&](const auto& f) {
            if (!f->opened || f->fromMemory) return false;
            std::error_code ec2;
            return std::filesystem::weakly_canonical(f->path, ec2).string() == canonical;
        });
        if (loop) {
            // keepalived recurses until it runs out of file descriptors and then skips the file; we stop
            // at once and say why.
            problem(checks.readable, fmt::format("include loop: '{}' is already being read - skipping", m));
            continue;
        }
        auto file = std::make_unique<File>();
        file->path = m;
        file->dir = directoryOf(m);
        file->fileIndex = diag_.addFile(m);
        toRead.push_back(std::move(file));
    }
    // The first match is read first: push in reverse so it ends up on top of the stack.
    for (auto it = toRead.rbegin(); it != toRead.rend(); ++it) files_.push_back(std::move(*it));
}

// Every `{` and `}` outside double quotes starts a logical line of its own; what follows it is read next.
void LineReader::splitBraces(std::string& line) {
    std::size_t p = 0;
    if (!isBrace(line[0])) {
        bool quoted = false;
        for (p = 0; p < line.size(); ++p) {
            char c = line[p];
            if (c == '"') quoted = !quoted;
            else if (!quoted && isBrace(c)) break;
        }
        // keepalived stops looking at an unterminated quote: no split after it.
        if (p >= line.size()) p = std::string::npos;
    }
    if (p != std::string::npos) {
        std::size_t skip = 0;
        if (p == 0) {
            skip = 1;
            while (skip < line.size() && isBlank(line[skip])) ++skip;
        }
        if (p + skip < line.size()) {
            std::string rest = line.substr(p + skip);
            trimTrailingBlanks(rest);
            residue_ = std::move(rest);
            line.resize(p + skip);
        }
    }
    trimTrailingBlanks(line);
    if (line == "{") {
        ++blockDepth_;
    } else if (line == "}") {
        if (blockDepth_-- < 1) {
            diag_.error(lastLocation_, "Extra '}' found");
            blockDepth_ = 0;
        }
    }
}

std::optional<LogicalLine> LineReader::next() {
    if (atEnd_) return std::nullopt;
    for (;;) {
        std::string buf;
        bool fromFile = false;
        if (residue_) {
            buf = std::move(*residue_);
            residue_.reset();
        } else if (!sequences_.empty() &&
                   sequences_.size() > (pendingMultiline_.empty() ? 0 : pendingMultiline_.back().seqDepth)) {
            if (++generatedLines_ > kMaxGeneratedLines) {
                diag_.error(lastLocation_, "~SEQ/~LST expand to more than 1000000 lines - stopping the expansion");
                sequences_.clear();
                continue;
            }
            Sequence& seq = sequences_.back();
            buf = seq.text;
            currentChain_ = seq.chain;
            bool done;
            if (seq.list.empty()) {
                std::string value = seq.hex ? fmt::format("{:x}", static_cast<unsigned long>(seq.next))
                                            : std::to_string(seq.next);
                definitions_[seq.vars.front()] = Definition{value, false, Definition::Builtin::None};
                seq.next += seq.step;
                done = (seq.step > 0 && seq.next > seq.last) || (seq.step < 0 && seq.next < seq.last);
            } else {
                const auto& values = seq.list[seq.listIndex++];
                for (std::size_t i = 0; i < seq.vars.size(); ++i)
                    definitions_[seq.vars[i]] = Definition{values[i], false, Definition::Builtin::None};
                done = seq.listIndex >= seq.list.size();
            }
            if (done) sequences_.pop_back();
        } else if (!pendingMultiline_.empty()) {
            Pending& pending = pendingMultiline_.back();
            buf = pending.lines[pending.index++];
            currentChain_ = pending.chain;
            if (++generatedLines_ > kMaxGeneratedLines) {
                diag_.error(lastLocation_, "definitions expand to more than 1000000 lines - stopping the expansion");
                pendingMultiline_.clear();
                continue;
            }
            if (pending.index >= pending.lines.size()) pendingMultiline_.pop_back();
        } else {
            auto physical = readPhysicalLine();
            if (!physical) {
                atEnd_ = true;
                if (blockDepth_ > 0)
                    diag_.error(Location{}, fmt::format("There are {} missing '}}'s or extra '{{'s", blockDepth_));
                return std::nullopt;
            }
            buf = std::move(*physical);
            fromFile = true;
            generatedLines_ = 0;
            currentChain_.clear();
            if (buf.empty()) {
                collectingDefinition_ = nullptr;  // a blank line ends a multi-line definition
                continue;
            }
            decomment(buf);
        }

        if (collectingDefinition_ && fromFile) {
            bool more = !buf.empty() && buf.back() == '\\';
            if (more) {
                buf.pop_back();
                trimTrailingBlanks(buf);
                buf.push_back('\n');
            }
            if (buf.size() >= 2 || (!buf.empty() && !more)) collectingDefinition_->append(buf);
            if (!more) collectingDefinition_ = nullptr;
            continue;
        }
        if (buf.empty()) continue;

        bool recheck;
        int rechecks = 0;
        do {
            recheck = false;
            if (buf[0] == '@') {
                bool reverse = buf.size() > 1 && buf[1] == '^';
                std::size_t idStart = reverse ? 2 : 1;
                auto idEnd = buf.find_first_of(kBlanks, idStart);
                if (idEnd == std::string::npos) {
                    buf.clear();
                    break;
                }
                std::string_view id(buf.data() + idStart, idEnd - idStart);
                bool matches = !options_.configId.empty() && id == options_.configId;
                if (matches == reverse) {
                    buf.clear();
                    break;
                }
                buf.erase(0, buf.find_first_not_of(kBlanks, idEnd));
            }
            if (buf[0] == '$' && tryDefinition(buf)) {
                buf.clear();
                break;
            }
            if (trySequence(buf) || tryList(buf)) {
                buf.clear();
                break;
            }
            if (buf[0] == '~') break;
            if (buf.find('$') != std::string::npos) {
                if (!substitute(buf)) break;
                decomment(buf);  // a replacement may bring a comment character (${_HASH})
                if (buf.empty()) break;
                if (buf[0] == '@' || buf.find('$') != std::string::npos) recheck = ++rechecks < 16;
            }
        } while (recheck);

        if (buf.empty() || tryInclude(buf)) continue;
        splitBraces(buf);
        if (buf.empty()) continue;
        return LogicalLine{std::move(buf), lastLocation_};
    }
}

}  // namespace ipvsd::conf
