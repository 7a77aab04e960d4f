// Membership changes of a local cluster, for `raftsim cluster add / promote / remove`.
//
// The cluster file lists every server that exists (`raftsim cluster up -n 5 --voters 3` starts
// n4 and n5 as spares: running, no members); which of them are members is the configuration in
// the nodes' logs, which `raftsim cluster status` shows. Each operation asks the leader through
// its Membership service and waits, bounded, until the change commits:
//   add NAME        starts NAME if it is down, adds it as a learner, and promotes it once it has
//                   caught up with the leader (a slow newcomer never stalls commitment);
//   add --learner   stops after the learner step;
//   promote NAME    makes learner NAME a voter, once it has caught up;
//   remove NAME     takes NAME out of the configuration, then stops its process (its data
//                   directory stays); removing the leader makes it step down once committed.
#pragma once

#include <chrono>
#include <string>

#include "real/launcher.h"

namespace raftsim::real {

struct MembershipRequest {
  std::string name;
  bool learner_only = false;  // add: stop once NAME is a learner
  std::chrono::milliseconds timeout{20000};
};

LaunchResult add_server(Launcher& launcher, const MembershipRequest& request);
LaunchResult promote_server(Launcher& launcher, const MembershipRequest& request);
LaunchResult remove_server(Launcher& launcher, const MembershipRequest& request);

}  // namespace raftsim::real
