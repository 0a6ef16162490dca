/*
 * guest_test.h - how a guest test (one file in tests/) makes itself known.
 *
 *   GUEST_TEST(slot_power_off, "slot-power-off", "slot child",
 *              "power a hotplug slot off, check the slot and the device")
 *   {
 *           ... report() calls ...
 *   }
 *
 * The descriptor lands in the "guest_tests" section (gathered by linker.ld),
 * so the image holds every test without a hand-kept list.
 */
#ifndef LIB_GUEST_TEST_H
#define LIB_GUEST_TEST_H

struct guest_test {
	const char *name;
	const char *params;	/* accepted parameter keys, space separated */
	const char *summary;
	void (*run)(void);
};

#define GUEST_TEST(fn, test_name, test_params, test_summary)		\
	static void fn(void);						\
	__attribute__((used, section("guest_tests"), aligned(8)))	\
	static const struct guest_test fn##_desc = {			\
		test_name, test_params, test_summary, fn };		\
	static void fn(void)

const struct guest_test *guest_test_find(const char *name);
/* For listings: the i-th test, NULL past the end. */
const struct guest_test *guest_test_at(int i);

#endif
