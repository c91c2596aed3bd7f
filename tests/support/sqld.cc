#include "sqld.h"

#include <dirent.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "hades/http.h"
#include "hrana_database.h"

namespace hades::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : bytes) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(kAlphabet[(bits >> count) & 0x3F]);
    }
  }
  if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 0x3F]);
  return out;  // JWTs use the unpadded form
}

// The listening TCP ports of process `pid` on 127.0.0.1: its socket inodes from /proc/PID/fd
// matched against the LISTEN rows of /proc/PID/net/tcp.
std::set<int> listening_ports(pid_t pid) {
  std::set<std::string> inodes;
  const std::string fd_dir = "/proc/" + std::to_string(pid) + "/fd";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(fd_dir, ec)) {
    const std::string target = std::filesystem::read_symlink(entry.path(), ec).string();
    if (target.starts_with("socket:[")) inodes.insert(target.substr(8, target.size() - 9));
  }
  std::set<int> ports;
  std::ifstream tcp("/proc/" + std::to_string(pid) + "/net/tcp");
  std::string line;
  std::getline(tcp, line);  // the header
  while (std::getline(tcp, line)) {
    std::istringstream row(line);
    std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
    row >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >>
        inode;
    if (state != "0A" || !inodes.count(inode)) continue;  // 0A is TCP_LISTEN
    if (!local.starts_with("0100007F:")) continue;        // 127.0.0.1, little-endian hex
    ports.insert(std::stoi(local.substr(9), nullptr, 16));
  }
  return ports;
}

bool healthy(int port) {
  auto client = make_http_client();
  HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/health";
  request.timeout = std::chrono::milliseconds(1000);
  auto reply = client->send(request);
  return reply.ok() && reply->status == 200;
}

}  // namespace

// An Ed25519 key pair, freed by its unique_ptr.
struct SqldServer::Key {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey{nullptr, &EVP_PKEY_free};
};

std::string sqld_binary() {
  const char* set = std::getenv("HADES_SQLD");
  if (set != nullptr && *set != '\0') return set;
  return source_dir() + "/.deps/sqld/bin/sqld";
}

SqldServer::SqldServer() : key_(std::make_shared<Key>()) {
  const std::string binary = sqld_binary();
  if (access(binary.c_str(), X_OK) != 0) {
    throw std::runtime_error("no sqld at " + binary + ": run tools/sqld/install.sh");
  }
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr), &EVP_PKEY_CTX_free);
  EVP_PKEY* made = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &made) != 1) {
    throw std::runtime_error("cannot make an Ed25519 key");
  }
  key_->pkey.reset(made);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), key_->pkey.get());
  char* pem = nullptr;
  const long pem_size = BIO_get_mem_data(bio.get(), &pem);
  write_file(dir_.file("jwt.pem"), std::string_view(pem, static_cast<std::size_t>(pem_size)));
  rw_token_ = mint_token(R"({"a":"rw"})");
  ro_token_ = mint_token(R"({"a":"ro"})");

  // exec keeps the pid, so signals reach sqld itself; its output goes to a file log() reads.
  const std::string command = "exec '" + binary + "' --no-welcome --db-path '" + dir_.file("db") +
                              "' --http-listen-addr 127.0.0.1:0 --auth-jwt-key-file '" +
                              dir_.file("jwt.pem") + "' >'" + dir_.file("sqld.log") + "' 2>&1";
  process_ =
      std::make_unique<Process>(std::vector<std::string>{"/bin/sh", "-c", command}, dir_.path(),
                                std::map<std::string, std::string>{{"RUST_LOG", "warn"}});
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline && process_->running()) {
    if (port_ == 0) {
      const std::set<int> ports = listening_ports(process_->pid());
      if (!ports.empty()) port_ = *ports.begin();
    }
    if (port_ != 0 && healthy(port_)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("sqld did not come up (port " + std::to_string(port_) + "): " + log());
}

SqldServer::~SqldServer() {
  if (!process_) return;
  process_->send(SIGTERM);
  process_->wait(10);  // kills it with SIGKILL past that
}

std::string SqldServer::mint_token(const std::string& claims_json) const {
  const std::string signing_input =
      base64url(R"({"alg":"EdDSA","typ":"JWT"})") + "." + base64url(claims_json);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned char signature[64];
  std::size_t size = sizeof signature;
  // Ed25519 hashes internally: no digest, one-shot DigestSign.
  if (!md || EVP_DigestSignInit(md.get(), nullptr, nullptr, nullptr, key_->pkey.get()) != 1 ||
      EVP_DigestSign(md.get(), signature, &size,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    throw std::runtime_error("cannot sign a JWT");
  }
  return signing_input + "." +
         base64url(std::string_view(reinterpret_cast<const char*>(signature), size));
}

std::unique_ptr<Database> SqldServer::open(const std::string& token) const {
  HranaOptions options;
  options.url = url();
  options.auth_token = token.empty() ? rw_token_ : token;
  auto db = open_hrana_database(std::move(options));
  if (!db.ok()) throw std::runtime_error(db.status().to_string());
  return std::move(db).value();
}

std::unique_ptr<Database> SqldServer::open_at(const std::string& url) const {
  HranaOptions options;
  options.url = url;
  options.auth_token = rw_token_;
  auto db = open_hrana_database(std::move(options));
  if (!db.ok()) throw std::runtime_error(db.status().to_string());
  return std::move(db).value();
}

std::string SqldServer::log() const {
  std::ifstream in(dir_.file("sqld.log"), std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace hades::testing
