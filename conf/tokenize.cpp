#include "conf/tokenize.h"

#include <fmt/format.h>

#include <cctype>

namespace ipvsd::conf {

namespace {
bool isWhite(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }  // space \t \n \v \f \r
}  // namespace

void splitWordsInto(std::string_view line, std::vector<std::string>& words, Diagnostics& diag, Location where) {
    std::size_t count = 0;
    auto emit = [&](std::string_view word) {
        if (count < words.size())
            words[count].assign(word);
        else
            words.emplace_back(word);
        ++count;
    };
    std::size_t p = 0;
    while (true) {
        while (p < line.size() && isWhite(line[p])) ++p;
        if (p >= line.size()) break;
        if (line[p] == '"') {
            auto close = line.find('"', p + 1);
            if (close == std::string_view::npos) {
                diag.error(where, fmt::format("Unmatched quote: '{}'", line));
                break;
            }
            emit(line.substr(p + 1, close - p - 1));
            p = close + 1;
        } else {
            std::size_t start = p;
            while (p < line.size() && !isWhite(line[p]) && line[p] != '"') ++p;
            emit(line.substr(start, p - start));
        }
    }
    words.resize(count);
}

std::vector<std::string> splitWords(std::string_view line, Diagnostics& diag, Location where) {
    std::vector<std::string> words;
    splitWordsInto(line, words, diag, where);
    return words;
}

bool splitCommand(std::string_view line, std::vector<std::string>& words, Diagnostics& diag, Location where) {
    words.clear();
    std::size_t p = 0;
    while (true) {
        while (p < line.size() && isWhite(line[p])) ++p;
        if (p >= line.size()) return true;
        std::string word;
        char quote = 0;
        while (p < line.size()) {
            char c = line[p];
            if (c == '\\') {
                ++p;
                if (p >= line.size()) {
                    diag.error(where, fmt::format("Missing escape char at end: '{}'", line));
                    return false;
                }
                char e = line[p];
                auto isOct = [](char d) { return d >= '0' && d <= '7'; };
                if (e == 'x' && p + 1 < line.size() && std::isxdigit(static_cast<unsigned char>(line[p + 1]))) {
                    unsigned value = 0;
                    ++p;
                    while (p < line.size() && std::isxdigit(static_cast<unsigned char>(line[p]))) {
                        char d = line[p++];
                        value = (value << 4) | static_cast<unsigned>(std::isdigit(static_cast<unsigned char>(d))
                                                                         ? d - '0'
                                                                         : 10 + (std::tolower(d) - 'a'));
                    }
                    word.push_back(static_cast<char>(value & 0xff));
                } else if (e == 'c' && p + 1 < line.size()) {
                    word.push_back(static_cast<char>(line[p + 1] & 0x1f));
                    p += 2;
                } else if (isOct(e)) {
                    unsigned value = 0;
                    for (int i = 0; i < 3 && p < line.size() && isOct(line[p]); ++i)
                        value = (value << 3) + static_cast<unsigned>(line[p++] - '0');
                    word.push_back(static_cast<char>(value & 0xff));
                } else {
                    switch (e) {
                        case 'a': word.push_back('\a'); break;
                        case 'b': word.push_back('\b'); break;
                        case 'E': word.push_back('\x1b'); break;
                        case 'f': word.push_back('\f'); break;
                        case 'n': word.push_back('\n'); break;
                        case 'r': word.push_back('\r'); break;
                        case 't': word.push_back('\t'); break;
                        case 'v': word.push_back('\v'); break;
                        default: word.push_back(e); break;
                    }
                    ++p;
                }
                continue;
            }
            if (quote) {
                if (c == quote) quote = 0;
                else word.push_back(c);
                ++p;
                continue;
            }
            if (c == '"' || c == '\'') {
                quote = c;
                ++p;
                continue;
            }
            if (isWhite(c)) break;
            word.push_back(c);
            ++p;
        }
        if (quote) {
            diag.error(where, fmt::format("String '{}': missing terminating {}", line, quote));
            return false;
        }
        words.push_back(std::move(word));
    }
}

std::string quoteWord(std::string_view word) {
    bool leadingSpecial = !word.empty() && (word.front() == '$' || word.front() == '@' || word.front() == '~');
    bool plain = !word.empty() && word.find_first_of(" \t\f\n\r\v\"{}!#") == std::string_view::npos && !leadingSpecial;
    if (plain) return std::string(word);
    // Only comment characters to protect: escape them outside quotes (`\#`), which the reader undoes. Inside
    // double quotes a trailing backslash would escape the closing quote.
    bool onlyComments = !word.empty() && !leadingSpecial &&
                        word.find_first_of(" \t\f\n\r\v\"{}") == std::string_view::npos;
    if (onlyComments) {
        std::string out;
        for (char c : word) {
            if (c == '#' || c == '!') out += '\\';
            out += c;
        }
        return out;
    }
    return fmt::format("\"{}\"", word);
}

}  // namespace ipvsd::conf
