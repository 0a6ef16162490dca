/*
 * fault.h - CPU exceptions end the run as CRASH with what a reader needs to
 * find the bug: vector, error code, RIP, CR2 and the registers.
 */
#ifndef LIB_FAULT_H
#define LIB_FAULT_H

#include <stdint.h>

/* The frame boot/cpu.asm builds on the stack before calling fault_entry(). */
struct fault_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

const char *fault_name(unsigned int vector);
void fault_entry(struct fault_frame *f) __attribute__((noreturn));

/* Installs the 32 exception handlers (boot/idt.c). */
void idt_init(void);

#endif
