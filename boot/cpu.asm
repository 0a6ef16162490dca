; cpu.asm - the few things C cannot say: port I/O, halting, the TSC, MSRs,
; loading the IDT, the 32 exception entry stubs and the interrupt stubs.
; Called from C with the System V AMD64 convention (rdi, rsi, ...).

bits 64
default rel

section .text

global inb, inw, inl, outb, outw, outl
inb:	mov	edx, edi
	in	al, dx
	movzx	eax, al
	ret
inw:	mov	edx, edi
	in	ax, dx
	movzx	eax, ax
	ret
inl:	mov	edx, edi
	in	eax, dx
	ret
outb:	mov	edx, edi
	mov	eax, esi
	out	dx, al
	ret
outw:	mov	edx, edi
	mov	eax, esi
	out	dx, ax
	ret
outl:	mov	edx, edi
	mov	eax, esi
	out	dx, eax
	ret

global cpu_relax, cpu_halt, cpu_disable_interrupts, cpu_enable_interrupts, rdtsc
cpu_relax:
	pause
	ret
cpu_halt:
	cli
.again:	hlt
	jmp	.again
cpu_disable_interrupts:
	cli
	ret
; Only inside a test's explicit interrupt window (lib/machine/irq.h): the rest polls.
cpu_enable_interrupts:
	sti
	ret

; uint64_t rdmsr(uint32_t msr), void wrmsr(uint32_t msr, uint64_t val)
global rdmsr, wrmsr
rdmsr:	mov	ecx, edi
	rdmsr
	shl	rdx, 32
	or	rax, rdx
	ret
wrmsr:	mov	ecx, edi
	mov	eax, esi
	mov	rdx, rsi
	shr	rdx, 32
	wrmsr
	ret
rdtsc:
	rdtsc
	shl	rdx, 32
	or	rax, rdx
	ret

; void idt_load(const void *idtr)
global idt_load
idt_load:
	lidt	[rdi]
	ret

; uint16_t read_cs(void), uint64_t read_cr2(void)
global read_cs, read_cr2
read_cs:
	mov	ax, cs
	movzx	eax, ax
	ret
read_cr2:
	mov	rax, cr2
	ret

; Every general register, in the order struct fault_frame (lib/machine/fault.h) reads.
%macro PUSH_GPRS 0
	push	rax
	push	rbx
	push	rcx
	push	rdx
	push	rsi
	push	rdi
	push	rbp
	push	r8
	push	r9
	push	r10
	push	r11
	push	r12
	push	r13
	push	r14
	push	r15
%endmacro

; Exception entry. The CPU pushes an error code for some vectors only; the
; stubs push a 0 for the others so every frame has the same layout:
;   [rsp] r15 .. rax, vector, error, rip, cs, rflags, rsp, ss
extern fault_entry
%macro ISR_NOERR 1
isr%1:	push	qword 0
	push	qword %1
	jmp	isr_common
%endmacro
%macro ISR_ERR 1
isr%1:	push	qword %1
	jmp	isr_common
%endmacro

%assign v 0
%rep 32
%if v == 8 || v == 10 || v == 11 || v == 12 || v == 13 || v == 14 || v == 17 || v == 21 || v == 29 || v == 30
	ISR_ERR v
%else
	ISR_NOERR v
%endif
%assign v v + 1
%endrep

isr_common:
	PUSH_GPRS
	mov	rdi, rsp
	and	rsp, -16		; the C handler wants an aligned stack
	call	fault_entry		; does not return: the run ends there
	jmp	cpu_halt

; Interrupt entry, vectors 32..255 (MSIs, the APIC's spurious vector, and
; anything stray). Unlike exceptions, interrupts return: the stub saves every
; general register, calls irq_entry(vector) (lib/machine/irq.c, which counts and
; sends the EOI) and goes back with iretq. The firmware is built with
; -mgeneral-regs-only, so there is no SSE state to save.
extern irq_entry
%assign v 32
%rep 224
irq %+ v:
	push	qword v
	jmp	irq_common
%assign v v + 1
%endrep

irq_common:
	PUSH_GPRS
	mov	rdi, [rsp + 15 * 8]	; the vector the stub pushed
	mov	rbp, rsp
	and	rsp, -16		; the C handler wants an aligned stack
	cld				; and DF clear (System V ABI)
	call	irq_entry
	mov	rsp, rbp
	pop	r15
	pop	r14
	pop	r13
	pop	r12
	pop	r11
	pop	r10
	pop	r9
	pop	r8
	pop	rbp
	pop	rdi
	pop	rsi
	pop	rdx
	pop	rcx
	pop	rbx
	pop	rax
	add	rsp, 8			; the vector
	iretq

section .data
align 8
global isr_stub_table
isr_stub_table:
%assign v 0
%rep 32
	dq	isr %+ v
%assign v v + 1
%endrep
global irq_stub_table
irq_stub_table:
%assign v 32
%rep 224
	dq	irq %+ v
%assign v v + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
