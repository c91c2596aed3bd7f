#include "logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "hades/redact.h"

namespace hades {

void Redactor::add_secret(std::string_view secret) {
  if (secret.size() >= 4) secrets_.emplace_back(secret);
}

std::string Redactor::redact(std::string_view text) const {
  return mask_credential_shapes(mask_secrets(text, secrets_));
}

std::string Redactor::redact_known(std::string_view text) const {
  return mask_secrets(text, secrets_);
}

std::optional<LogFormat> parse_log_format(std::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return std::nullopt;
}

std::optional<LogLevel> parse_log_level(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warn") return LogLevel::kWarn;
  if (name == "error") return LogLevel::kError;
  return std::nullopt;
}

namespace {

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
  const std::time_t secs = static_cast<std::time_t>(ms.count() / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms.count() % 1000));
  return buf;
}

}  // namespace

struct HostLogger::Impl {
  std::shared_ptr<spdlog::logger> text;  // owns the text formatting; not registered globally
  std::map<std::string, std::string> fields;
};

HostLogger::HostLogger(LogFormat format, LogLevel min_level, const Redactor& redactor)
    : impl_(std::make_unique<Impl>()), format_(format), min_level_(min_level), redactor_(redactor) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  impl_->text = std::make_shared<spdlog::logger>("hades", sink);
  impl_->text->set_pattern("%Y-%m-%d %H:%M:%S %^%-5l%$ %v");
  impl_->text->set_level(spdlog::level::trace);
}

HostLogger::~HostLogger() = default;

void HostLogger::set_field(const std::string& key, const std::string& value) {
  std::lock_guard<std::mutex> lock(mutex_);
  impl_->fields[key] = value;
}

void HostLogger::log(LogLevel level, std::string_view message) {
  if (level < min_level_) return;
  const std::string safe = redactor_.redact(message);
  std::lock_guard<std::mutex> lock(mutex_);
  if (format_ == LogFormat::kJson) {
    nlohmann::json line = {{"ts", utc_timestamp()}, {"level", level_name(level)}};
    for (const auto& [key, value] : impl_->fields) line[key] = value;
    line["msg"] = safe;
    std::fputs((line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n").c_str(),
               stderr);
    return;
  }
  const auto step = impl_->fields.find("step");
  if (step != impl_->fields.end() && !step->second.empty()) {
    impl_->text->log(to_spdlog(level), "[{}] {}", step->second, safe);
  } else {
    impl_->text->log(to_spdlog(level), "{}", safe);
  }
}

}  // namespace hades
