#include "conf/config.h"

#include "conf/line_reader.h"
#include "conf/parser.h"
#include "conf/tables/tables.h"

namespace ipvsd::conf {

namespace {

void bindAndValidate(LineReader& reader, const ParseOptions& options, ParseResult& result) {
    TableBinder<Config> root(result.config, rootTable());
    bindLines(reader, root, result.diagnostics);
    // Cross-block checks (references, clashes) need everything read; keepalived reports them without a
    // line number, we keep the location of the block concerned.
    validateGlobal(result.config, options, result.diagnostics);
    validateVrrp(result.config, options, result.diagnostics);
    validateLvs(result.config, options, result.diagnostics);
    validateBfd(result.config, options, result.diagnostics);
    result.config.files = result.diagnostics.files();
}

}  // namespace

ParseResult parseFile(const std::string& path, const ParseOptions& options) {
    ParseResult result;
    LineReader reader(path, ReaderOptions{options.configId, options.randomSeed, options.includesAllowed}, result.diagnostics);
    bindAndValidate(reader, options, result);
    return result;
}

ParseResult parseText(std::string text, const ParseOptions& options, std::string name, std::string baseDir) {
    ParseResult result;
    LineReader reader(LineReader::InMemoryText{std::move(text), std::move(name), std::move(baseDir)},
                      ReaderOptions{options.configId, options.randomSeed, options.includesAllowed}, result.diagnostics);
    bindAndValidate(reader, options, result);
    return result;
}

DaemonVerdict daemonVerdict(const ParseResult& parsed) {
    DaemonVerdict out;
    for (const auto& d : parsed.diagnostics.items()) {
        if (d.severity != Severity::Error) continue;
        (d.stopsDaemon() ? out.refusing : out.adjusted).push_back(parsed.diagnostics.format(d));
    }
    return out;
}

}  // namespace ipvsd::conf
