/*
 * guest_test.h - how a guest test (one file in tests/) makes itself known.
 *
 *   GUEST_TEST(hotplug_main, "hotplug", "slot child button-ms",
 *              "plug plugged unplug unplugged",
 *              "device_add and device_del answered like pciehp")
 *   {
 *           ... report() calls ...
 *   }
 *
 * The descriptor lands in the "guest_tests" section (gathered by linker.ld),
 * so the image holds every test without a hand-kept list; the build reads
 * the same descriptors out of build/slotprobe.so into build/tests.json
 * (scripts/list-tests), which the harness uses to know the tests, their
 * parameters and their checkpoints.
 */
#ifndef LIB_GUEST_TEST_H
#define LIB_GUEST_TEST_H

struct guest_test {
	const char *name;
	const char *params;	/* accepted parameter keys, space separated */
	/*
	 * The checkpoints it offers (report_checkpoint names, where the harness
	 * may migrate), space separated, in order. A name ending in '*' stands
	 * for names the run chooses: "step-*" (selftest's step-1..N), "*"
	 * (script: the script's own checkpoint names).
	 */
	const char *checkpoints;
	const char *summary;
	void (*run)(void);
};

#define GUEST_TEST(fn, test_name, test_params, test_checkpoints, test_summary) \
	static void fn(void);						\
	__attribute__((used, section("guest_tests"), aligned(8)))	\
	static const struct guest_test fn##_desc = {			\
		test_name, test_params, test_checkpoints, test_summary, fn }; \
	static void fn(void)

const struct guest_test *guest_test_find(const char *name);
/* For listings: the i-th test, NULL past the end. */
const struct guest_test *guest_test_at(int i);

#endif
