#include "conf/dump.h"

#include "conf/tables/tables.h"
#include "conf/tokenize.h"

namespace ipvsd::conf {

namespace {

class KeepalivedWriter final : public ConfigWriter {
public:
    void statement(const std::vector<std::string>& words) override { line(words, "", false); }
    void beginBlock(const std::vector<std::string>& header) override {
        line(header, " {", false);
        ++depth_;
    }
    // A value line has no keyword: its first word is data and may need quoting like the others.
    void value(const std::vector<std::string>& words) override { line(words, "", true); }
    void endBlock() override {
        --depth_;
        out_.append(static_cast<std::size_t>(depth_) * 4, ' ');
        out_ += "}\n";
        if (depth_ == 0) out_ += "\n";
    }
    std::string take() { return std::move(out_); }

private:
    void line(const std::vector<std::string>& words, std::string_view suffix, bool quoteFirst) {
        out_.append(static_cast<std::size_t>(depth_) * 4, ' ');
        for (std::size_t i = 0; i < words.size(); ++i) {
            if (i) out_ += ' ';
            out_ += i == 0 && !quoteFirst ? words[i] : quoteWord(words[i]);
        }
        out_ += suffix;
        out_ += '\n';
    }
    std::string out_;
    int depth_ = 0;
};

class JsonWriter final : public ConfigWriter {
public:
    JsonWriter() { stack_.push_back(nlohmann::json::array()); }
    void statement(const std::vector<std::string>& words) override { stack_.back().push_back(node(words)); }
    void beginBlock(const std::vector<std::string>& header) override {
        headers_.push_back(header);
        stack_.push_back(nlohmann::json::array());
    }
    void value(const std::vector<std::string>& words) override {
        stack_.back().push_back(nlohmann::json{{"value", words}});
    }
    void endBlock() override {
        auto body = std::move(stack_.back());
        stack_.pop_back();
        auto n = node(headers_.back());
        headers_.pop_back();
        n["body"] = std::move(body);
        stack_.back().push_back(std::move(n));
    }
    nlohmann::json take() { return nlohmann::json{{"blocks", std::move(stack_.front())}}; }

private:
    static nlohmann::json node(const std::vector<std::string>& words) {
        nlohmann::json n{{"keyword", words.empty() ? "" : words.front()}};
        n["args"] = nlohmann::json::array();
        for (std::size_t i = 1; i < words.size(); ++i) n["args"].push_back(words[i]);
        return n;
    }
    std::vector<nlohmann::json> stack_;
    std::vector<std::vector<std::string>> headers_;
};

}  // namespace

std::string toKeepalivedSyntax(const Config& config) {
    KeepalivedWriter writer;
    rootTable().dump(config, writer);
    return writer.take();
}

nlohmann::json toJson(const Config& config) {
    JsonWriter writer;
    rootTable().dump(config, writer);
    return writer.take();
}

}  // namespace ipvsd::conf
