raftsim_test(invariants_test SOURCES invariants_test.cc durability_test.cc configuration_steps_test.cc membership_checks_test.cc commit_quorum_test.cc leader_rules_test.cc flow_control_test.cc read_confirmed_test.cc message_steps_test.cc tick_steps_test.cc append_steps_test.cc
    vote_steps_test.cc apply_steps_test.cc LIBS raftsim_check raftsim_raft)
