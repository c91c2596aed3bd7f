#include "hades/file_checks.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace hades {
namespace {

namespace fs = std::filesystem;

std::string prefix(std::string_view what) {
  return what.empty() ? std::string() : std::string(what) + ": ";
}

// Whether this process (its effective ids) may create files in the directory `dir`.
bool can_create_in(const std::string& dir) {
  return ::faccessat(AT_FDCWD, dir.c_str(), W_OK | X_OK, AT_EACCESS) == 0;
}

std::string why_not_writable(const std::string& dir) {
  if (::faccessat(AT_FDCWD, dir.c_str(), W_OK | X_OK, AT_EACCESS) == 0) return "";
  return errno == EROFS ? "is on a read-only file system" : "is not writable";
}

}  // namespace

bool is_permanent_file_error(int error) {
  switch (error) {
    case ENOENT:
    case ENOTDIR:
    case EISDIR:
    case EACCES:
    case EPERM:
    case EROFS:
    case ENAMETOOLONG:
    case ELOOP:
    case EEXIST:
    case EINVAL:
      return true;
    default:
      return false;
  }
}

Status file_error(std::string_view what, std::string_view action, const std::string& path,
                  int error) {
  std::string message =
      prefix(what) + "cannot " + std::string(action) + " " + path + ": " + std::strerror(error);
  if (is_permanent_file_error(error)) return Status::invalid_config(std::move(message));
  return Status::io(std::move(message));
}

Status check_readable_file(const std::string& path, std::string_view what) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT) return Status::invalid_config(prefix(what) + path + " does not exist");
    return file_error(what, "read", path, errno);
  }
  if (S_ISDIR(info.st_mode)) return Status::invalid_config(prefix(what) + path + " is a directory");
  if (::faccessat(AT_FDCWD, path.c_str(), R_OK, AT_EACCESS) != 0) {
    return Status::invalid_config(prefix(what) + path +
                                  " is not readable: " + std::strerror(errno));
  }
  return Status::ok_status();
}

Status check_writable_dir(const std::string& dir, std::string_view what) {
  fs::path candidate = dir.empty() ? fs::path(".") : fs::path(dir);
  bool exists_as_given = true;
  for (;;) {
    struct stat info {};
    if (::stat(candidate.c_str(), &info) == 0) {
      if (!S_ISDIR(info.st_mode)) {
        return Status::invalid_config(
            prefix(what) + candidate.string() +
            (exists_as_given ? " is not a directory"
                             : " is not a directory, so " + dir + " cannot be created"));
      }
      if (can_create_in(candidate.string())) return Status::ok_status();
      return Status::invalid_config(prefix(what) + candidate.string() + " " +
                                    why_not_writable(candidate.string()) +
                                    (exists_as_given ? "" : ", so " + dir + " cannot be created"));
    }
    if (errno != ENOENT && errno != ENOTDIR) {
      return file_error(what, "inspect", candidate.string(), errno);
    }
    exists_as_given = false;
    const fs::path parent = candidate.parent_path();
    candidate = parent.empty() || parent == candidate ? fs::path(".") : parent;
  }
}

Status check_writable_file(const std::string& path, std::string_view what) {
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    return Status::invalid_config(prefix(what) + path + " is a directory");
  }
  const fs::path parent = fs::path(path).parent_path();
  return check_writable_dir(parent.empty() ? "." : parent.string(), what);
}

}  // namespace hades
