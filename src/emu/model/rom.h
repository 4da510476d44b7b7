/* SPDX-License-Identifier: MIT */
/*
 * The emulated ST ROM bootloader: a pure C state machine (no umockdev, no
 * GLib, no I/O, no clock of its own) so that it can be unit-tested and
 * fuzzed directly. The umockdev glue (the C files in src/emu) feeds it every
 * control transfer the host sends, with the current time, and acts on the
 * reply: complete the URB (possibly not before reply.ready_at_ns), stall it,
 * or drop the device off the bus.
 *
 * This header is the contract between the model (src/emu/model: rom.c, rom_desc.c, rom_flash.c,
 * chips.c, fault.c) and the glue. Change it only in step with both sides.
 */
#ifndef STDFU_EMU_ROM_H
#define STDFU_EMU_ROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Static description of a chip's ROM (chips.c) ----------------------- */

/*
 * EMU_TIMING_REAL: flash operations take their datasheet time, data stages
 * 1 us per byte, and GETSTATUS reports the ROM's bwPollTimeout.
 * EMU_TIMING_FAST: every duration is zero, but GETSTATUS still reports the
 * ROM's real bwPollTimeout: a host that branches on the reported value takes
 * the same path as on hardware; only the waiting is skipped.
 */
enum emu_timing { EMU_TIMING_FAST = 0, EMU_TIMING_REAL };

/* How the ROM answers a GETSTATUS that arrives while a flash operation runs. */
enum emu_busy_policy {
	EMU_BUSY_BLOCK, /* F4: the op runs in the USB ISR; the host is NAKed until done */
	EMU_BUSY_STALL, /* L4: GETSTATUS is stalled while busy */
};

struct emu_chip; /* opaque; defined in chips.c */

/*
 * How the GETSTATUS that follows the leave's zero-length DNLOAD fails on ROMs
 * that are gone before they answer it (H7, G0, U5...): each outcome a libusb
 * host can see. The chip table gives each family its default; --fault
 * leave=NAME selects another.
 */
enum emu_leave_fail {
	EMU_LEAVE_FAIL_DEFAULT = 0, /* the chip's own */
	EMU_LEAVE_FAIL_PIPE,	    /* the request stalls: LIBUSB_ERROR_PIPE */
	EMU_LEAVE_FAIL_IO,	    /* a bus error (EPROTO): LIBUSB_ERROR_IO */
	EMU_LEAVE_FAIL_NODEV,	    /* the device is already off the bus: NO_DEVICE */
	EMU_LEAVE_FAIL_TIMEOUT,	    /* never answered; off the bus once the host gives up */
};

/* Look a chip up by its --chip name ("f405", "l4", "h7", ...); NULL if unknown. */
const struct emu_chip *emu_chip_find(const char *name);
/* NULL-terminated list of chip names, for --help. */
const char *const *emu_chip_names(void);

/* The chip's re-enumeration delay (ms, --timing real) until the ROM (app =
 * false) or the application (app = true) is seen again after leaving the bus. */
unsigned emu_chip_reenum_ms(const struct emu_chip *chip, bool app);

/* Internal flash of a chip: base address and size in bytes. */
uint32_t emu_chip_flash_base(const struct emu_chip *chip);
uint32_t emu_chip_flash_size(const struct emu_chip *chip);

/* ---- Runtime state of one target --------------------------------------- */

struct emu_rom;

struct emu_rom_config {
	const struct emu_chip *chip;
	enum emu_timing timing;
	int rdp_level;	    /* 0 or 1 */
	const char *serial; /* iSerialNumber string; NULL = derive from board index */
	unsigned board;	    /* 1-based board index (distinct serial/UID per board) */
	/* --fault SPEC or NULL. Grammar (full text in fault.c):
	 *   ENTRY[,ENTRY...], ENTRY = ACTION:MATCH:N | quirk=h7-stuck-busy | quirk=short-poll
	 *   ACTION = stall | disconnect | timeout | status=errNAME (any DFU status name)
	 *            | state=N (0..255)
	 *   MATCH = any dnload dnload-data set-address erase mass-erase leave
	 *           upload getstatus clrstatus abort
	 *   N = the 1-based count of matching requests at which it fires (once). */
	const char *fault;
	/* --lie KEY=VALUE entries (lie.c), or NULL/0. */
	const char *const *lies;
	size_t n_lies;
};

/* NULL on bad config (unknown fault spec etc.); err gets a message if non-NULL. */
struct emu_rom *emu_rom_new(const struct emu_rom_config *cfg, char *err, size_t errlen);
void emu_rom_free(struct emu_rom *rom);

/*
 * Called when the ROM (re)enumerates: after power-up, after a leave that went
 * back to the ROM, after Read Unprotect or an option-byte write. Resets the
 * DFU state machine (dfuIDLE, or dfuERROR/errFIRMWARE when flash is blank)
 * but keeps flash, option bytes and statistics.
 */
void emu_rom_reset(struct emu_rom *rom);
/*
 * The board loses power (pulled off the bus): the next emu_rom_reset is a
 * power-on again, which reads the first flash word for the empty check anew.
 * Flash, option bytes and the UID stay, as on a real chip.
 */
void emu_rom_power_off(struct emu_rom *rom);

/* Whole internal flash, for --load and --dump. Writable through the pointer. */
uint8_t *emu_rom_flash(struct emu_rom *rom, uint32_t *base, uint32_t *size);
/*
 * Mark [addr, addr+len) of the flash as programmed, as flashing it would
 * (--load): on ECC chips every programming unit it touches, 0xFF or not,
 * then fails a second program with errPROG until erased; on the H7, which
 * refuses nothing, a second program leaves its ECC inconsistent instead.
 */
void emu_rom_mark_programmed(struct emu_rom *rom, uint32_t addr, uint32_t len);

/* True if flash holds a plausible application: initial SP inside SRAM (or its
 * top), reset vector an odd (Thumb) address inside flash. */
bool emu_rom_app_plausible(const struct emu_rom *rom);

/*
 * Descriptors the kernel would expose in sysfs `descriptors`: the 18-byte
 * device descriptor then the full configuration descriptor (interfaces, one
 * per alt setting, and the DFU functional descriptor). Returns the length
 * written, or 0 if cap is too small.
 */
size_t emu_rom_sysfs_descriptors(const struct emu_rom *rom, uint8_t *buf, size_t cap);
/* Strings for sysfs attributes. */
const char *emu_rom_serial(const struct emu_rom *rom);
/*
 * The serial an application on this chip reports: ST-library and MicroPython
 * applications derive it from the UID with the ROM's algorithm
 * (micropython ports/stm32/usbd_desc.c), so it equals the ROM's serial, except
 * on ROMs whose serial is a constant (F072: FFFFFFFEFFFF), where only the
 * application's is unique.
 */
const char *emu_rom_app_serial(const struct emu_rom *rom);
/*
 * The chip's 96-bit unique ID (UID0, UID1, UID2 little-endian, as at its
 * address), distinct per board and kept across re-plugs; *addr where the
 * chip keeps it, *rom_reads whether an UPLOAD there returns it (uid.c,
 * docs/chip-uid.md). Either pointer may be NULL.
 */
#define EMU_UID_LEN 12
const uint8_t *emu_rom_uid(const struct emu_rom *rom, uint32_t *addr, bool *rom_reads);
const char *emu_rom_product(const struct emu_rom *rom);
const char *emu_rom_manufacturer(const struct emu_rom *rom);

/* ---- Control transfers -------------------------------------------------- */

struct emu_setup {
	uint8_t bmRequestType;
	uint8_t bRequest;
	uint16_t wValue;
	uint16_t wIndex;
	uint16_t wLength;
};

enum emu_reply_kind {
	EMU_REPLY_ACK,	      /* completed; for IN, `len` bytes were put in data */
	EMU_REPLY_STALL,      /* the endpoint stalled (EPIPE for the host) */
	EMU_REPLY_DISCONNECT, /* the device drops off the bus instead of answering */
	EMU_REPLY_IO_ERROR,   /* a transaction error on the bus (EPROTO for the host) */
	/* Never answered: the transfer stays in flight until the host gives up
	 * (discards it, or its USBDEVFS_CONTROL timeout expires); only then does
	 * the reply's event take effect. */
	EMU_REPLY_HANG,
	EMU_REPLY_BABBLE, /* more data than wLength: EOVERFLOW for the host */
};

enum emu_event {
	EMU_EVENT_NONE,
	/* After this reply completes the device leaves the bus. If app_plausible
	 * the application comes back after a realistic delay, else the ROM. */
	EMU_EVENT_LEAVE,
	/* After this reply completes the ROM resets itself (option bytes written,
	 * Read Unprotect done) and re-enumerates as the ROM. */
	EMU_EVENT_RESET,
};

struct emu_reply {
	enum emu_reply_kind kind;
	size_t len;	      /* IN: bytes returned in data */
	uint64_t ready_at_ns; /* do not complete before this time (0 = at once) */
	enum emu_event event;
	bool app_plausible; /* with EMU_EVENT_LEAVE */
};

/*
 * Feed one control transfer. @data holds the OUT data stage (wLength bytes)
 * or receives the IN data stage (at most wLength bytes, cap >= wLength).
 * @now_ns is a monotonic time in ns. Standard requests the glue handles
 * through other ioctls (SET_CONFIGURATION, SET_INTERFACE, CLEAR_FEATURE)
 * are passed here as synthetic setup packets so that the model tracks the
 * alt setting and counts them; the glue owns interface claiming.
 */
void emu_rom_control(struct emu_rom *rom, const struct emu_setup *setup, uint8_t *data, size_t cap,
		     uint64_t now_ns, struct emu_reply *reply);

/* ---- Statistics (--stats) ---------------------------------------------- */

enum emu_stat_req {
	EMU_STAT_DNLOAD_DATA,
	EMU_STAT_DNLOAD_SET_ADDRESS,
	EMU_STAT_DNLOAD_ERASE,
	EMU_STAT_DNLOAD_MASS_ERASE,
	EMU_STAT_DNLOAD_READ_UNPROTECT,
	EMU_STAT_DNLOAD_GET_COMMANDS,
	EMU_STAT_DNLOAD_LEAVE, /* zero-length DNLOAD */
	EMU_STAT_DNLOAD_OTHER, /* unknown DfuSe command byte */
	EMU_STAT_UPLOAD,
	EMU_STAT_GETSTATUS,
	EMU_STAT_CLRSTATUS,
	EMU_STAT_GETSTATE,
	EMU_STAT_ABORT,
	EMU_STAT_DETACH,
	EMU_STAT_STANDARD,
	EMU_STAT__COUNT
};

struct emu_stats {
	uint64_t control_transfers; /* everything, standard requests included */
	uint64_t by_request[EMU_STAT__COUNT];
	uint64_t bytes_down; /* data-stage bytes host -> device */
	uint64_t bytes_up;   /* data-stage bytes device -> host */
	uint64_t device_busy_ns;
	uint64_t ecc_faults; /* H7: reads that met a word programmed twice (ROM hung) */
};

/* JSON key of a counter: "dnload_data", "dnload_set_address", ... */
const char *emu_stat_name(enum emu_stat_req r);
const struct emu_stats *emu_rom_stats(const struct emu_rom *rom);

#endif
