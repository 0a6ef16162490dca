; cpu.asm - the few things C cannot say: port I/O, halting, the TSC,
; loading the IDT, and the 32 exception entry stubs.
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

global cpu_relax, cpu_halt, cpu_disable_interrupts, rdtsc
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
	mov	rdi, rsp
	and	rsp, -16		; the C handler wants an aligned stack
	call	fault_entry		; does not return: the run ends there
	jmp	cpu_halt

section .data
align 8
global isr_stub_table
isr_stub_table:
%assign v 0
%rep 32
	dq	isr %+ v
%assign v v + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
