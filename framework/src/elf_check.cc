#include "elf_check.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace hades {
namespace {

#if defined(__x86_64__)
constexpr int kMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr int kMachine = EM_AARCH64;
#else
#error "elf_check.cc: add this machine's EM_ constant"
#endif

// More program headers than this is not a library a compiler made.
constexpr unsigned kMaxProgramHeaders = 256;

// Reads exactly `size` bytes at `offset`; false on a short read or an error.
bool read_at(int fd, void* out, std::size_t size, std::uint64_t offset) {
  auto* bytes = static_cast<char*>(out);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, bytes + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Whether [offset, offset + size) fits in a file of `file_size` bytes, without overflowing.
bool within(std::uint64_t offset, std::uint64_t size, std::uint64_t file_size) {
  return offset <= file_size && size <= file_size - offset;
}

Status check_header(const Elf64_Ehdr& h, std::uint64_t file_size, const std::string& path) {
  const auto refuse = [&path](const std::string& why) {
    return Status::plugin_abi(path + " is not a usable plugin library: " + why +
                              "; reinstall or rebuild it");
  };
  if (std::memcmp(h.e_ident, ELFMAG, SELFMAG) != 0) return refuse("it is not an ELF file");
  if (h.e_ident[EI_CLASS] != ELFCLASS64 || h.e_ident[EI_DATA] != ELFDATA2LSB) {
    return refuse("it is not a 64-bit little-endian ELF file");
  }
  if (h.e_type != ET_DYN) {
    return refuse("it is not a shared library (ELF type " + std::to_string(h.e_type) + ")");
  }
  if (h.e_machine != kMachine) {
    return refuse("it was built for another machine (ELF machine " + std::to_string(h.e_machine) +
                  ")");
  }
  if (h.e_phentsize != sizeof(Elf64_Phdr) || h.e_phnum == 0 || h.e_phnum > kMaxProgramHeaders) {
    return refuse("its program header table is malformed");
  }
  const std::uint64_t table = std::uint64_t{h.e_phnum} * sizeof(Elf64_Phdr);
  if (!within(h.e_phoff, table, file_size)) {
    return refuse("it is truncated: its program headers end at byte " +
                  std::to_string(h.e_phoff + table) + ", the file has " +
                  std::to_string(file_size));
  }
  return Status::ok_status();
}

}  // namespace

Status check_elf_library(const std::string& path) {
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    return Status::plugin_abi("cannot read plugin library " + path + ": " + std::strerror(errno));
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return Status::plugin_abi(path + " is not a usable plugin library: not a regular file");
  }
  const auto file_size = static_cast<std::uint64_t>(info.st_size);
  Elf64_Ehdr header{};
  if (file_size < sizeof header || !read_at(fd.get(), &header, sizeof header, 0)) {
    return Status::plugin_abi(path + " is not a usable plugin library: it is " +
                              std::to_string(file_size) +
                              " bytes, shorter than an ELF header; reinstall or rebuild it");
  }
  HADES_RETURN_IF_ERROR(check_header(header, file_size, path));
  std::vector<Elf64_Phdr> segments(header.e_phnum);
  if (!read_at(fd.get(), segments.data(), segments.size() * sizeof(Elf64_Phdr), header.e_phoff)) {
    return Status::plugin_abi("cannot read the program headers of " + path);
  }
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const Elf64_Phdr& s = segments[i];
    if (s.p_type != PT_LOAD && s.p_type != PT_DYNAMIC) continue;
    if (!within(s.p_offset, s.p_filesz, file_size)) {
      return Status::plugin_abi(path +
                                " is not a usable plugin library: it is truncated or "
                                "corrupt (segment " +
                                std::to_string(i) + " ends at byte " +
                                std::to_string(s.p_offset + s.p_filesz) + ", the file has " +
                                std::to_string(file_size) + "); reinstall or rebuild it");
    }
  }
  return Status::ok_status();
}

}  // namespace hades
