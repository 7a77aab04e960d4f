raftsim_test(invariants_test SOURCES invariants_test.cc durability_test.cc LIBS raftsim_check raftsim_raft)
