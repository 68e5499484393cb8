// Prints the keepalived.conf keyword reference generated from the keyword tables (conf/reference.h).
//   keyword_reference --markdown        docs/config-reference.md, to stdout
//   keyword_reference --roff            the keyword section of ipvsd.conf(5), to stdout
//   keyword_reference --man FILE        FILE with its generated section replaced, to stdout
//   keyword_reference --update SRCDIR   rewrites SRCDIR/docs/config-reference.md and SRCDIR/docs/man/ipvsd.conf.5
#include "conf/reference.h"

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace {

int usage() {
    std::cerr << "usage: keyword_reference --markdown | --roff | --man FILE | --update SOURCE_DIR\n";
    return 2;
}

bool readFile(const std::string& path, std::string& text) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream s;
    s << in.rdbuf();
    text = s.str();
    return true;
}

bool writeFile(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    return static_cast<bool>(out.flush());
}

// The man page with the generated section spliced in, or an error on stderr.
bool splicedManPage(const std::string& path, const std::string& roff, std::string& result) {
    std::string page;
    if (!readFile(path, page)) {
        std::cerr << "keyword_reference: cannot read " << path << "\n";
        return false;
    }
    auto spliced = ipvsd::conf::spliceRoff(page, roff);
    if (!spliced) {
        std::cerr << "keyword_reference: " << path << " lacks the lines '" << ipvsd::conf::kRoffBegin << "' and '"
                  << ipvsd::conf::kRoffEnd << "'\n";
        return false;
    }
    result = std::move(*spliced);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage();
    const std::string mode = argv[1];
    const auto ref = ipvsd::conf::buildReference();
    if (mode == "--markdown" && argc == 2) {
        std::cout << ipvsd::conf::referenceMarkdown(ref);
        return 0;
    }
    if (mode == "--roff" && argc == 2) {
        std::cout << ipvsd::conf::referenceRoff(ref);
        return 0;
    }
    if (mode == "--man" && argc == 3) {
        std::string page;
        if (!splicedManPage(argv[2], ipvsd::conf::referenceRoff(ref), page)) return 1;
        std::cout << page;
        return 0;
    }
    if (mode == "--update" && argc == 3) {
        const std::string dir = argv[2];
        const std::string markdown = dir + "/docs/config-reference.md";
        const std::string man = dir + "/docs/man/ipvsd.conf.5";
        std::string page;
        if (!splicedManPage(man, ipvsd::conf::referenceRoff(ref), page)) return 1;
        if (!writeFile(markdown, ipvsd::conf::referenceMarkdown(ref)) || !writeFile(man, page)) {
            std::cerr << "keyword_reference: cannot write " << markdown << " or " << man << "\n";
            return 1;
        }
        std::cout << "wrote " << markdown << " and " << man << "\n";
        return 0;
    }
    return usage();
}
