#include "hairpin/verifier/lab/lab_runner.hpp"

#include "hairpin/common/file_io.hpp"
#include "hairpin/verifier/lab/process.hpp"

#include <linux/capability.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

namespace hairpin::verifier {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

namespace {

// A command whose output we read (listings, observation); a missing program reads
// as a failed command, with the reason as its output.
ProcessOutput run(const std::vector<std::string>& argv) {
  auto r = run_process(argv);
  if (!r) return {127, r.error().to_string()};
  return std::move(r.value());
}

bool wait_for_paths(const std::vector<std::string>& paths, std::chrono::milliseconds bound) {
  auto deadline = Clock::now() + bound;
  for (;;) {
    if (std::all_of(paths.begin(), paths.end(), [](const auto& p) { return fs::exists(p); })) return true;
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string last_line(const std::string& text) {
  auto t = trim(text);
  auto nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

// The lab's own files (state, copies, /proc): missing reads as empty.
std::string read_file(const std::string& path) {
  auto text = read_whole_file(path);
  return text ? std::move(text.value()) : std::string();
}

Result<std::vector<std::string>> existing_lab_namespaces() {
  std::vector<std::string> out;
  auto listing = run_process({"ip", "netns", "list"});
  if (!listing) return listing.error();
  if (listing->exit_code != 0)
    return Error{"ip netns list failed: " + last_line(listing->output), "", "check that iproute2 works here"};
  std::istringstream in(listing->output);
  for (std::string line; std::getline(in, line);) {
    auto name = line.substr(0, line.find(' '));
    if (name.rfind("hp-", 0) == 0) out.push_back(name);
  }
  return out;
}

std::vector<pid_t> pids_in(const std::string& ns) {
  std::vector<pid_t> out;
  auto listing = run({"ip", "netns", "pids", ns});
  std::istringstream in(listing.output);
  for (pid_t pid; in >> pid;) out.push_back(pid);
  return out;
}

std::string comm_of(pid_t pid) {
  return trim(read_file("/proc/" + std::to_string(pid) + "/comm"));
}

// Running, not a zombie (/proc/PID/stat's state field, after the ")" of comm).
bool process_alive(pid_t pid) {
  if (pid <= 0) return false;
  auto stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

// The pid a pidfile names, or 0.
pid_t pid_from(const std::string& pidfile) {
  try {
    return static_cast<pid_t>(std::stol(read_file(pidfile)));
  } catch (const std::exception&) {
    return 0;
  }
}

// Waits (bounded) until every pid is gone; true when they are.
bool wait_gone(const std::vector<pid_t>& pids, std::chrono::milliseconds bound) {
  auto deadline = Clock::now() + bound;
  for (;;) {
    if (std::none_of(pids.begin(), pids.end(), process_alive)) return true;
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// ---------------------------------------------------------------- saved state

struct SavedState {
  std::string topology_source;
  std::string nva;
  std::string nva_config_source;
  std::vector<std::string> faults;
  std::optional<double> delay_ms;
  bool netem = true;
  std::vector<std::string> namespaces;
};

std::string state_file(const std::string& dir) { return dir + "/state.json"; }

Result<SavedState> load_state(const std::string& dir) {
  if (!fs::exists(state_file(dir)))
    return Error{"the lab is not up", dir, "bring it up with: hairpin lab up"};
  try {
    auto j = json::parse(read_file(state_file(dir)));
    SavedState s;
    s.topology_source = j.at("topology_source");
    s.nva = j.at("nva");
    s.nva_config_source = j.value("nva_config_source", "");
    s.faults = j.at("faults").get<std::vector<std::string>>();
    if (!j.at("delay_ms").is_null()) s.delay_ms = j.at("delay_ms").get<double>();
    s.netem = j.at("netem");
    s.namespaces = j.at("namespaces").get<std::vector<std::string>>();
    return s;
  } catch (const std::exception& e) {
    return Error{std::string("the lab state is unreadable: ") + e.what(), state_file(dir),
                 "run hairpin lab down, then hairpin lab up"};
  }
}

// Rebuilds the topology and plan the lab was brought up with, from the copies it kept.
struct Rebuilt {
  Topology topology;
  LabOptions options;
  LabPlan plan;
  SavedState saved;
};

Result<Rebuilt> rebuild(const std::string& dir, const std::string& hairpin_binary = "hairpin") {
  auto saved = load_state(dir);
  if (!saved) return saved.error();
  auto topology = parse_topology(read_file(dir + "/topology.yaml"), saved->topology_source);
  if (!topology) return topology.error();
  LabOptions o;
  o.state_dir = dir;
  o.hairpin_binary = hairpin_binary;
  auto kind = parse_nva_kind(saved->nva);
  if (!kind)
    return Error{"the lab state names an unknown NVA '" + saved->nva + "'", state_file(dir),
                 "run hairpin lab down, then hairpin lab up"};
  o.nva = *kind;
  o.nva_config_text = read_file(dir + "/nva.conf");
  o.nva_config_source = saved->nva_config_source;
  for (const auto& f : saved->faults)
    if (auto fault = parse_fault(f)) o.faults.insert(*fault);
  o.delay_ms = saved->delay_ms;
  o.netem_available = saved->netem;
  auto plan = make_lab_plan(*topology, o);
  if (!plan) return plan.error();
  return Rebuilt{std::move(topology.value()), std::move(o), std::move(plan.value()), std::move(saved.value())};
}

// ---------------------------------------------------------------- observation

// BIRD's protocol table, name -> BGP state (Established, Active, ...).
std::map<std::string, std::string> bird_protocols(const std::string& ns, const std::string& socket) {
  std::map<std::string, std::string> out;
  if (!fs::exists(socket)) return out;
  auto r = run({"ip", "netns", "exec", ns, "birdc", "-s", socket, "show", "protocols"});
  if (r.exit_code != 0) return out;
  std::istringstream in(r.output);
  for (std::string line; std::getline(in, line);) {
    std::istringstream cols(line);
    std::string name, proto, table, state, since, info;
    cols >> name >> proto >> table >> state >> since >> info;
    if (proto != "BGP") continue;
    out[name] = state == "up" ? info : (info.empty() ? state : info);
  }
  return out;
}

LabStatus observe(const Rebuilt& lab) {
  LabStatus s;
  s.up = true;
  s.topology = lab.saved.topology_source;
  s.nva = lab.saved.nva;
  s.faults = lab.saved.faults;
  s.delay = lab.plan.delay_summary;
  for (const auto& n : lab.topology.nodes) {
    NodeState node{n.name, std::string(to_string(n.role)), n.namespace_name(), fs::exists("/run/netns/" + n.namespace_name()), {}};
    if (node.namespace_present)
      for (auto pid : pids_in(node.ns)) node.processes.push_back(comm_of(pid) + " " + std::to_string(pid));
    s.nodes.push_back(std::move(node));
  }
  for (const auto& d : lab.plan.daemons) {
    DaemonState ds{d.node, d.kind, true, {}, d.log, {}};
    if (d.kind == "hairpin-nva") ds.control_socket = builtin_nva_files(lab.topology, lab.options).control_socket;
    for (const auto& pidfile : d.pidfiles) {
      pid_t pid = pid_from(pidfile);
      if (process_alive(pid)) ds.pids.push_back(pid);
      else ds.running = false;
    }
    s.daemons.push_back(std::move(ds));
  }
  std::map<std::string, std::map<std::string, std::string>> bird_cache;
  for (const auto& e : lab.plan.sessions) {
    if (!bird_cache.contains(e.observer)) {
      const Node* observer = lab.topology.find_node(e.observer);
      bird_cache[e.observer] =
          bird_protocols(observer->namespace_name(), lab.options.state_dir + "/" + e.observer + "/bird.ctl");
    }
    const auto& table = bird_cache[e.observer];
    auto it = table.find(e.protocol);
    std::string state = it == table.end() ? "BIRD not running on " + e.observer : it->second;
    s.sessions.push_back({e, state, state == "Established"});
  }
  for (const auto& e : lab.plan.routes) {
    const Node* node = lab.topology.find_node(e.node);
    auto r = run({"ip", "-n", node->namespace_name(), "route", "show", "exact", e.prefix.to_string()});
    auto line = last_line(r.output);
    bool present = r.exit_code == 0 && !line.empty() && line.rfind("unreachable", 0) != 0;
    s.routes.push_back({e, present, present ? line : "not in " + e.node + "'s kernel routing table"});
  }
  return s;
}

}  // namespace

bool LabStatus::converged() const { return up && missing().empty(); }

std::vector<std::string> LabStatus::missing() const {
  std::vector<std::string> out;
  for (const auto& s : sessions)
    if (!s.established)
      out.push_back("BGP session " + s.expected.observer + " <-> " + s.expected.peer + " is " + s.state +
                    " (seen by " + s.expected.observer + ", protocol " + s.expected.protocol + ")");
  for (const auto& r : routes)
    if (!r.present)
      out.push_back("route " + r.expected.prefix.to_string() + " missing on " + r.expected.node + " (" +
                    r.expected.why + ")");
  return out;
}

// ---------------------------------------------------------------- checks

Status check_lab_privileges() {
  if (geteuid() == 0) return Ok{};
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &header, data) == 0) {
    auto has_cap = [&](int cap) { return (data[cap / 32].effective & (1u << (cap % 32))) != 0; };
    if (has_cap(CAP_NET_ADMIN) && has_cap(CAP_SYS_ADMIN)) return Ok{};
  }
  return Error{"the lab needs root (or CAP_NET_ADMIN and CAP_SYS_ADMIN) to create network namespaces", "",
               "run it as root, e.g. sudo hairpin lab ..."};
}

Status check_lab_tools(const LabOptions& options) {
  struct Tool {
    const char* path_or_name;
    const char* package;
  };
  std::vector<Tool> tools{{"ip", "iproute2"},  {"bridge", "iproute2"}, {"tc", "iproute2"}, {"nft", "nftables"},
                          {"ethtool", "ethtool"}, {"sysctl", "procps"}, {"bird", "bird2"},  {"birdc", "bird2"}};
  if (options.nva == NvaKind::Frr && !options.faults.contains(Fault::NvaDown))
    for (const auto* t : {"/usr/lib/frr/zebra", "/usr/lib/frr/staticd", "/usr/lib/frr/bgpd", "vtysh"})
      tools.push_back({t, "frr"});
  for (const auto& t : tools) {
    std::string name = t.path_or_name;
    bool found = false;
    if (name.find('/') != std::string::npos) {
      found = access(name.c_str(), X_OK) == 0;
    } else {
      for (const auto* dir : {"/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"})
        found |= access((std::string(dir) + "/" + name).c_str(), X_OK) == 0;
    }
    if (!found)
      return Error{name + " is not installed", "",
                   std::string("install the Debian package ") + t.package + " (scripts/setup installs everything)"};
  }
  return Ok{};
}

bool netem_available() {
  const std::string ns = "hp-netem-check";
  run({"ip", "netns", "add", ns});
  auto r = run({"ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"});
  run({"ip", "netns", "del", ns});
  return r.exit_code == 0;
}

// ---------------------------------------------------------------- daemons

namespace {

// Starts one daemon of the plan and waits (bounded) until it serves: its
// pidfiles written and its ready paths there. A daemon that exits meanwhile is
// reported with the last line of its log at once, not after the bound.
Status start_daemon(const Daemon& daemon) {
  const auto where = daemon.log.empty() ? daemon.node : daemon.log;
  for (const auto& cmd : daemon.start) {
    if (!cmd.wait_for.empty() && !wait_for_paths(cmd.wait_for, std::chrono::seconds(15)))
      return Error{daemon.kind + " on " + daemon.node + " did not start (no " + cmd.wait_for.front() + ")", where,
                   "see the log there"};
    if (cmd.background) {
      if (auto s = spawn_detached(cmd.argv, {cmd.log, cmd.pidfile}); !s) return s.error();
      continue;
    }
    auto r = run_process(cmd.argv);
    if (!r) return r.error();
    if (r->exit_code != 0)
      return Error{daemon.kind + " on " + daemon.node + " failed to start: " + last_line(r->output), cmd.to_string(),
                   "see " + where + " for its log"};
  }
  if (!wait_for_paths(daemon.pidfiles, std::chrono::seconds(15)))
    return Error{daemon.kind + " on " + daemon.node + " did not write its pidfile", daemon.pidfiles.front(),
                 "see " + where};
  auto deadline = Clock::now() + std::chrono::seconds(15);
  for (;;) {
    if (std::all_of(daemon.ready.begin(), daemon.ready.end(), [](const auto& p) { return fs::exists(p); }))
      return Ok{};
    for (const auto& pidfile : daemon.pidfiles)
      if (!process_alive(pid_from(pidfile))) {
        auto log = daemon.log.empty() ? std::string() : last_line(read_file(daemon.log));
        return Error{daemon.kind + " on " + daemon.node + " exited at start" + (log.empty() ? "" : ": " + log), where,
                     "see the whole log there"};
      }
    if (Clock::now() > deadline)
      return Error{daemon.kind + " on " + daemon.node + " runs but is not ready after 15 s (no " +
                       daemon.ready.front() + ")",
                   where, "see the log there"};
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// Polls (bounded) until the lab has converged; returns the last status either way.
LabStatus wait_converged(const Rebuilt& lab, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    auto status = observe(lab);
    if (status.converged() || Clock::now() > deadline) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

// ---------------------------------------------------------------- up / down

Result<LabStatus> lab_up(const UpRequest& request, std::ostream& progress) {
  LabOptions options = request.options;
  if (auto s = check_lab_privileges(); !s) return s.error();
  if (auto s = check_lab_tools(options); !s) return s.error();
  auto topology = load_topology(request.topology_path);
  if (!topology) return topology.error();

  auto listed = existing_lab_namespaces();
  if (!listed) return listed.error();
  const auto& present = *listed;
  if (fs::exists(state_file(options.state_dir)) || !present.empty()) {
    if (!request.force)
      return Error{"the lab is already up" + (present.empty() ? "" : " (" + present.front() + " exists)"), "",
                   "run hairpin lab down first, or hairpin lab up --force to rebuild it"};
    if (auto s = lab_down(options.state_dir, progress); !s) return s.error();
  }

  bool wants_delay = options.delay_ms.value_or(0) > 0 ||
                     std::any_of(topology->circuits.begin(), topology->circuits.end(),
                                 [](const Circuit& c) { return c.delay_ms > 0; });
  options.netem_available = !wants_delay || netem_available();
  auto plan = make_lab_plan(*topology, options);
  if (!plan) return plan.error();

  // State first, so that `down` can clean up whatever happens next.
  json state{{"topology_source", request.topology_path},
             {"nva", to_string(options.nva)},
             {"nva_config_source", request.nva_config_path},
             {"faults", json::array()},
             {"delay_ms", options.delay_ms ? json(*options.delay_ms) : json(nullptr)},
             {"netem", options.netem_available},
             {"namespaces", plan->namespaces}};
  for (auto f : options.faults) state["faults"].push_back(to_string(f));
  std::vector<GeneratedFile> files{{options.state_dir + "/topology.yaml", read_file(request.topology_path)},
                                   {options.state_dir + "/nva.conf", options.nva_config_text}};
  files.insert(files.end(), plan->files.begin(), plan->files.end());
  files.push_back({state_file(options.state_dir), state.dump(2) + "\n"});
  for (const auto& f : files)
    if (auto s = write_file_atomically(f.path, f.content); !s) return s.error();

  auto fail = [&](Error e) -> Result<LabStatus> {
    progress << "lab up failed; cleaning up\n";
    (void)lab_down(options.state_dir, progress);
    return e;
  };

  progress << "building " << plan->namespaces.size() << " namespaces (" << plan->delay_summary << ")\n";
  for (const auto& cmd : plan->network) {
    auto r = run_process(cmd.argv);
    if (!r) return fail(r.error());
    if (r->exit_code != 0)
      return fail(Error{"lab step failed: " + cmd.to_string(), last_line(r->output),
                        "check the message; hairpin lab down cleans up"});
  }

  for (const auto& daemon : plan->daemons) {
    progress << "starting " << daemon.kind << " on " << daemon.node << "\n";
    if (auto s = start_daemon(daemon); !s) return fail(s.error());
  }

  progress << "waiting up to " << request.timeout.count() << " s for " << plan->sessions.size()
           << " BGP sessions and " << plan->routes.size() << " routes\n";
  auto rebuilt = rebuild(options.state_dir, options.hairpin_binary);
  if (!rebuilt) return rebuilt.error();
  // Not converged by the deadline: the caller reports what is missing.
  return wait_converged(*rebuilt, request.timeout);
}

Status lab_down(const std::string& state_dir, std::ostream& progress) {
  if (auto s = check_lab_privileges(); !s) return s.error();
  std::set<std::string> namespaces;
  if (auto saved = load_state(state_dir))
    namespaces.insert(saved->namespaces.begin(), saved->namespaces.end());
  auto listed = existing_lab_namespaces();
  if (!listed) return listed.error();
  for (const auto& ns : *listed) namespaces.insert(ns);

  // Every process living in a lab namespace goes: daemons, delay lines, shells.
  std::vector<pid_t> pids;
  for (const auto& ns : namespaces)
    if (fs::exists("/run/netns/" + ns))
      for (auto pid : pids_in(ns)) pids.push_back(pid);
  for (auto pid : pids) kill(pid, SIGTERM);
  auto deadline = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < deadline && std::any_of(pids.begin(), pids.end(), process_alive))
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  for (auto pid : pids)
    if (process_alive(pid)) kill(pid, SIGKILL);

  int removed = 0;
  for (const auto& ns : namespaces)
    if (fs::exists("/run/netns/" + ns)) {
      auto r = run_process({"ip", "netns", "del", ns});
      if (!r) return r.error();
      if (r->exit_code != 0)
        return Error{"cannot delete namespace " + ns + ": " + last_line(r->output), "", "retry hairpin lab down"};
      ++removed;
    }
  std::error_code ec;
  fs::remove_all(state_dir, ec);
  if (ec) return Error{"cannot remove " + state_dir + ": " + ec.message(), "", "remove it by hand"};
  progress << "lab down: " << removed << " namespaces and " << pids.size() << " processes removed\n";
  return Ok{};
}

Result<LabStatus> lab_status(const std::string& state_dir) {
  auto lab = rebuild(state_dir);
  if (!lab) return lab.error();
  return observe(*lab);
}

Result<LabStatus> lab_restart(const RestartRequest& request, std::ostream& progress) {
  if (auto s = check_lab_privileges(); !s) return s.error();
  auto lab = rebuild(request.state_dir, request.hairpin_binary);
  if (!lab) return lab.error();
  const Node* node = lab->topology.find_node(request.node);
  const Daemon* daemon = nullptr;
  for (const auto& d : lab->plan.daemons)
    if (d.node == request.node) daemon = &d;
  if (!node && !daemon) {
    std::string valid;
    for (const auto& n : lab->topology.nodes) valid += (valid.empty() ? "" : ", ") + n.name;
    for (const auto& d : lab->plan.daemons)
      if (!lab->topology.find_node(d.node)) valid += ", " + d.node;  // a circuit's delay line
    return Error{"unknown node '" + request.node + "'", "", "valid nodes: " + valid};
  }
  if (!daemon) {
    std::string faults;
    for (const auto& f : lab->saved.faults) faults += (faults.empty() ? "" : ", ") + f;
    return Error{request.node + " runs no daemon in this lab" +
                     (faults.empty() ? std::string() : " (faults: " + faults + ")"),
                 "hairpin lab restart " + request.node,
                 "bring the lab up again without the fault that stops it: hairpin lab up --force ..."};
  }
  if (!fs::exists("/run/netns/" + daemon->ns))
    return Error{"namespace " + daemon->ns + " of " + request.node + " is gone; restart rebuilds nothing",
                 "hairpin lab restart " + request.node, "rebuild the lab: hairpin lab up --force"};

  // Stop what of it still runs (SIGTERM; SIGKILL after a bound), in its namespace only.
  const auto in_ns = pids_in(daemon->ns);
  std::vector<pid_t> running;
  for (const auto& pidfile : daemon->pidfiles) {
    pid_t pid = pid_from(pidfile);
    if (process_alive(pid) && std::find(in_ns.begin(), in_ns.end(), pid) != in_ns.end()) running.push_back(pid);
  }
  if (running.empty()) {
    progress << daemon->kind << " on " << request.node << " is not running; starting it\n";
  } else {
    auto t0 = Clock::now();
    for (auto pid : running) kill(pid, SIGTERM);
    bool gone = wait_gone(running, std::chrono::seconds(10));
    if (!gone)
      for (auto pid : running)
        if (process_alive(pid)) kill(pid, SIGKILL);
    if (!gone && !wait_gone(running, std::chrono::seconds(2)))
      return Error{daemon->kind + " on " + request.node + " does not stop", "pid " + std::to_string(running.front()),
                   "see " + daemon->log + "; hairpin lab down removes everything"};
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    progress << daemon->kind << " on " << request.node << " was running; stopped it (" << (gone ? "SIGTERM" : "SIGKILL")
             << ", " << ms << " ms); starting it\n";
  }
  std::error_code ec;
  for (const auto& f : daemon->runtime_files) fs::remove(f, ec);  // a dead run's pidfile or socket
  if (auto s = start_daemon(*daemon); !s) return s.error();
  progress << daemon->kind << " on " << request.node << " started; waiting up to " << request.timeout.count()
           << " s for " << lab->plan.sessions.size() << " BGP sessions and " << lab->plan.routes.size() << " routes\n";
  return wait_converged(*lab, request.timeout);
}

Result<std::string> lab_namespace_of(const std::string& state_dir, const std::string& node) {
  auto saved = load_state(state_dir);
  if (!saved) return saved.error();
  std::string valid;
  for (const auto& ns : saved->namespaces) {
    if (ns == "hp-" + node) return ns;
    valid += (valid.empty() ? "" : ", ") + ns.substr(3);
  }
  return Error{"unknown node '" + node + "'", "", "valid nodes: " + valid};
}

// ---------------------------------------------------------------- formatting

std::string format_status_text(const LabStatus& s) {
  std::ostringstream o;
  std::string faults;
  for (const auto& f : s.faults) faults += (faults.empty() ? "" : ",") + f;
  o << "lab: up, topology " << s.topology << ", NVA " << s.nva << ", faults " << (faults.empty() ? "none" : faults)
    << ", " << s.delay << "\n\nnodes:\n";
  // Columns as wide as the longest name (topologies allow 12 characters, namespaces 15).
  int w = 10, ns_w = 13;
  for (const auto& n : s.nodes) {
    w = std::max(w, static_cast<int>(n.name.size()));
    ns_w = std::max(ns_w, static_cast<int>(n.ns.size()));
  }
  for (const auto& d : s.daemons) w = std::max(w, static_cast<int>(d.node.size()));
  for (const auto& ss : s.sessions)
    w = std::max({w, static_cast<int>(ss.expected.observer.size()), static_cast<int>(ss.expected.peer.size())});
  for (const auto& r : s.routes) w = std::max(w, static_cast<int>(r.expected.node.size()));
  for (const auto& n : s.nodes) {
    char line[160];
    std::string procs;
    for (const auto& p : n.processes) procs += (procs.empty() ? "" : ", ") + p;
    std::snprintf(line, sizeof line, "  %-*s %-5s %-*s ", w, n.name.c_str(), n.role.c_str(), ns_w, n.ns.c_str());
    o << line << (n.namespace_present ? (procs.empty() ? "no processes" : procs) : "NAMESPACE MISSING") << "\n";
  }
  o << "\ndaemons:\n";
  for (const auto& d : s.daemons) {
    std::string pids;
    for (auto p : d.pids) pids += (pids.empty() ? "" : " ") + std::to_string(p);
    char line[200];
    std::snprintf(line, sizeof line, "  %-*s %-12s %-22s ", w, d.node.c_str(), d.kind.c_str(),
                  d.running ? ("running (pid " + pids + ")").c_str() : "NOT running");
    o << line << "log " << d.log;
    if (!d.control_socket.empty()) o << ", control socket " << d.control_socket;
    if (!d.running) o << " (hairpin lab restart " << d.node << " starts it)";
    o << "\n";
  }
  o << "\nBGP sessions:\n";
  for (const auto& ss : s.sessions) {
    char line[160];
    std::snprintf(line, sizeof line, "  %-*s <-> %-*s %s\n", w, ss.expected.observer.c_str(), w, ss.expected.peer.c_str(),
                  ss.state.c_str());
    o << line;
  }
  o << "\nkey routes:\n";
  for (const auto& r : s.routes) {
    char line[400];
    std::snprintf(line, sizeof line, "  %-*s %-15s %-8s %s\n", w, r.expected.node.c_str(),
                  r.expected.prefix.to_string().c_str(), r.present ? "present" : "MISSING", r.expected.why.c_str());
    o << line;
  }
  auto missing = s.missing();
  o << "\n" << (missing.empty() ? "converged: every expected session and route is there" : "NOT converged:") << "\n";
  for (const auto& m : missing) o << "  " << m << "\n";
  return o.str();
}

std::string format_status_json(const LabStatus& s) {
  json j{{"up", s.up}, {"topology", s.topology}, {"nva", s.nva}, {"faults", s.faults}, {"delay", s.delay},
         {"converged", s.converged()}, {"missing", s.missing()}};
  j["nodes"] = json::array();
  for (const auto& n : s.nodes)
    j["nodes"].push_back({{"name", n.name}, {"role", n.role}, {"namespace", n.ns},
                          {"namespace_present", n.namespace_present}, {"processes", n.processes}});
  j["daemons"] = json::array();
  for (const auto& d : s.daemons)
    j["daemons"].push_back({{"node", d.node}, {"kind", d.kind}, {"running", d.running}, {"pids", d.pids},
                            {"log", d.log}, {"control_socket", d.control_socket}});
  j["sessions"] = json::array();
  for (const auto& ss : s.sessions)
    j["sessions"].push_back({{"observer", ss.expected.observer}, {"protocol", ss.expected.protocol},
                             {"peer", ss.expected.peer}, {"state", ss.state}, {"established", ss.established}});
  j["routes"] = json::array();
  for (const auto& r : s.routes)
    j["routes"].push_back({{"node", r.expected.node}, {"prefix", r.expected.prefix.to_string()},
                           {"present", r.present}, {"why", r.expected.why}, {"detail", r.detail}});
  return j.dump(2) + "\n";
}

}  // namespace hairpin::verifier
