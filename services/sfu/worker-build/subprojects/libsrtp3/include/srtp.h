// libsrtp 3 API over Debian's libsrtp 2.
//
// Why: mediasoup 3.27 is written against libsrtp 3 (opaque policy objects, separate in/out buffers, size_t
// lengths), which it would download and build itself. Debian 12 ships libsrtp 2.5; linking it keeps SRTP under
// Debian's security updates. This header maps exactly the libsrtp 3 calls the worker makes onto libsrtp 2,
// written from the two public srtp.h headers. C++ only (the worker is C++): the 3.x signatures are overloads of
// the 2.x C functions of the same name.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

// libsrtp 2 calls its policy struct srtp_policy_t; libsrtp 3 uses that name for an opaque pointer.
#define srtp_policy_t srtp2_policy_t
#include <srtp2/srtp.h>
#undef srtp_policy_t

// Error codes libsrtp 3 added after srtp_err_status_pkt_idx_adv (27).
constexpr srtp_err_status_t srtp_err_status_buffer_small = static_cast<srtp_err_status_t>(28);
constexpr srtp_err_status_t srtp_err_status_cryptex_err  = static_cast<srtp_err_status_t>(29);

struct conclave_srtp_policy
{
	srtp2_policy_t policy;
	srtp_profile_t profile;
	unsigned char* keyAndSalt;
};

using srtp_policy_t = conclave_srtp_policy*;

inline srtp_err_status_t srtp_policy_create(srtp_policy_t* policy)
{
	if (policy == nullptr)
		return srtp_err_status_bad_param;

	auto* created = new (std::nothrow) conclave_srtp_policy{};

	if (created == nullptr)
		return srtp_err_status_alloc_fail;

	*policy = created;

	return srtp_err_status_ok;
}

inline void srtp_policy_destroy(srtp_policy_t policy)
{
	if (policy == nullptr)
		return;

	if (policy->keyAndSalt != nullptr)
	{
		// Key material: wiped before it is released.
		const size_t len =
		  srtp_profile_get_master_key_length(policy->profile) + srtp_profile_get_master_salt_length(policy->profile);

		std::memset(policy->keyAndSalt, 0, len);
		std::free(policy->keyAndSalt);
	}

	delete policy;
}

inline srtp_err_status_t srtp_policy_set_ssrc(srtp_policy_t policy, srtp_ssrc_t ssrc)
{
	if (policy == nullptr)
		return srtp_err_status_bad_param;

	policy->policy.ssrc = ssrc;

	return srtp_err_status_ok;
}

inline srtp_err_status_t srtp_policy_set_profile(srtp_policy_t policy, srtp_profile_t profile)
{
	if (policy == nullptr)
		return srtp_err_status_bad_param;

	srtp_err_status_t err = srtp_crypto_policy_set_from_profile_for_rtp(&policy->policy.rtp, profile);

	if (err != srtp_err_status_ok)
		return err;

	err = srtp_crypto_policy_set_from_profile_for_rtcp(&policy->policy.rtcp, profile);

	if (err != srtp_err_status_ok)
		return err;

	policy->profile = profile;

	return srtp_err_status_ok;
}

// libsrtp 2 takes one buffer holding the master key followed by the master salt.
inline srtp_err_status_t srtp_policy_add_key(
  srtp_policy_t policy,
  const uint8_t* key,
  size_t keyLen,
  const uint8_t* salt,
  size_t saltLen,
  const uint8_t* mki,
  size_t mkiLen)
{
	if (policy == nullptr || key == nullptr || salt == nullptr || policy->keyAndSalt != nullptr)
		return srtp_err_status_bad_param;

	// MKI is not used by mediasoup and would need libsrtp 2's srtp_master_key_t list.
	if (mki != nullptr || mkiLen != 0)
		return srtp_err_status_bad_param;

	if (
	  keyLen != srtp_profile_get_master_key_length(policy->profile) ||
	  saltLen != srtp_profile_get_master_salt_length(policy->profile))
	{
		return srtp_err_status_bad_param;
	}

	auto* buffer = static_cast<unsigned char*>(std::malloc(keyLen + saltLen));

	if (buffer == nullptr)
		return srtp_err_status_alloc_fail;

	std::memcpy(buffer, key, keyLen);
	std::memcpy(buffer + keyLen, salt, saltLen);

	policy->keyAndSalt  = buffer;
	policy->policy.key  = buffer;
	policy->policy.keys = nullptr;

	return srtp_err_status_ok;
}

inline srtp_err_status_t srtp_policy_set_window_size(srtp_policy_t policy, size_t windowSize)
{
	if (policy == nullptr)
		return srtp_err_status_bad_param;

	policy->policy.window_size = windowSize;

	return srtp_err_status_ok;
}

inline srtp_err_status_t srtp_policy_set_allow_repeat_tx(srtp_policy_t policy, bool allow)
{
	if (policy == nullptr)
		return srtp_err_status_bad_param;

	policy->policy.allow_repeat_tx = allow ? 1 : 0;

	return srtp_err_status_ok;
}

inline srtp_err_status_t srtp_create(srtp_t* session, const srtp_policy_t policy)
{
	if (policy == nullptr || policy->keyAndSalt == nullptr)
		return srtp_err_status_bad_param;

	// libsrtp 2 copies the key into the session's own state.
	return srtp_create(session, &policy->policy);
}

// Renamed in libsrtp 3 (same arguments: the SSRC in network order).
inline srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc)
{
	return srtp_remove_stream(session, ssrc);
}

namespace conclave_srtp
{
	// libsrtp 2 works in place on an int length; libsrtp 3 reads from one buffer and writes to another.
	template<typename Fn>
	inline srtp_err_status_t Transform(
	  Fn fn, const uint8_t* in, size_t inLen, uint8_t* out, size_t* outLen, size_t trailerRoom)
	{
		if (in == nullptr || out == nullptr || outLen == nullptr)
			return srtp_err_status_bad_param;

		if (inLen > static_cast<size_t>(INT32_MAX - SRTP_MAX_TRAILER_LEN) || *outLen < inLen + trailerRoom)
			return srtp_err_status_buffer_small;

		if (out != in)
			std::memmove(out, in, inLen);

		int len                     = static_cast<int>(inLen);
		const srtp_err_status_t err = fn(out, &len);

		if (err == srtp_err_status_ok)
			*outLen = static_cast<size_t>(len);

		return err;
	}
} // namespace conclave_srtp

inline srtp_err_status_t srtp_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtpLen, uint8_t* srtp, size_t* srtpLen, size_t mkiIndex)
{
	if (mkiIndex != 0)
		return srtp_err_status_bad_mki;

	return conclave_srtp::Transform(
	  [ctx](uint8_t* buf, int* len) { return srtp_protect(ctx, buf, len); },
	  rtp,
	  rtpLen,
	  srtp,
	  srtpLen,
	  SRTP_MAX_TRAILER_LEN);
}

inline srtp_err_status_t srtp_unprotect(
  srtp_t ctx, const uint8_t* srtp, size_t srtpLen, uint8_t* rtp, size_t* rtpLen)
{
	return conclave_srtp::Transform(
	  [ctx](uint8_t* buf, int* len) { return srtp_unprotect(ctx, buf, len); }, srtp, srtpLen, rtp, rtpLen, 0);
}

inline srtp_err_status_t srtp_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcpLen, uint8_t* srtcp, size_t* srtcpLen, size_t mkiIndex)
{
	if (mkiIndex != 0)
		return srtp_err_status_bad_mki;

	return conclave_srtp::Transform(
	  [ctx](uint8_t* buf, int* len) { return srtp_protect_rtcp(ctx, buf, len); },
	  rtcp,
	  rtcpLen,
	  srtcp,
	  srtcpLen,
	  SRTP_MAX_TRAILER_LEN);
}

inline srtp_err_status_t srtp_unprotect_rtcp(
  srtp_t ctx, const uint8_t* srtcp, size_t srtcpLen, uint8_t* rtcp, size_t* rtcpLen)
{
	return conclave_srtp::Transform(
	  [ctx](uint8_t* buf, int* len) { return srtp_unprotect_rtcp(ctx, buf, len); },
	  srtcp,
	  srtcpLen,
	  rtcp,
	  rtcpLen,
	  0);
}
