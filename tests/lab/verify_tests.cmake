# hairpin verify, live (verifyrun's): the seed lab through the lab's namespaces,
# and a scenario file whose probe host sits in a namespace the lab did not create.
hairpin_lab_test(verify.seed verify_seed_test.sh)
hairpin_lab_test(verify.netns_scenario verify_netns_test.sh)
