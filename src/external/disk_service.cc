#include "external/disk_service.h"

#include <fmt/format.h>

namespace raftsim::external {

std::variant<Json, std::string> DiskService::serve(const Json& request) {
  const std::string type = request.at("type").get<std::string>();
  auto id = request.find("msg_id");
  if (id == request.end() || !id->is_number_unsigned())
    return fmt::format("{} without an integer msg_id", type);
  Json reply{{"in_reply_to", *id}};
  if (type == "disk_write") {
    auto name = request.find("name");
    auto value = request.find("value");
    if (name == request.end() || !name->is_string())
      return std::string("disk_write without a string 'name'");
    if (value == request.end() || !(value->is_string() || value->is_null()))
      return std::string("disk_write's 'value' is not a string or null");
    const std::string key = name->get<std::string>();
    std::optional<std::string> v;
    if (value->is_string()) v = value->get<std::string>();
    if (v) {
      written_[key] = *v;
    } else {
      written_.erase(key);
    }
    last_unsynced_ = {key, v};
    reply["type"] = "disk_write_ok";
    return reply;
  }
  if (type == "disk_sync") {
    ++syncs_;
    if (!fsync_lies_) {
      synced_ = written_;
      last_unsynced_.reset();
    }
    reply["type"] = "disk_sync_ok";
    return reply;
  }
  if (type == "disk_read") {
    reply["type"] = "disk_read_ok";
    reply["records"] = Json::object();
    for (const auto& [name, value] : written_)
      reply["records"][name] = value;
    return reply;
  }
  return fmt::format("an unknown message to raftsim: '{}'", type);
}

void DiskService::crash() {
  std::map<std::string, std::string> kept = synced_;
  if (torn_armed_ && last_unsynced_ && last_unsynced_->second) {
    const std::string& v = *last_unsynced_->second;
    kept[last_unsynced_->first] = v.substr(0, v.size() / 2);
    torn_armed_ = false;
  }
  written_ = kept;
  synced_ = std::move(kept);
  last_unsynced_.reset();
}

void DiskService::wipe() {
  written_.clear();
  synced_.clear();
  last_unsynced_.reset();
  torn_armed_ = false;
}

}  // namespace raftsim::external
