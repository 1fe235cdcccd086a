// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to ldap/ (never included outside it: ldap.h stays out of Sunset's public headers).
#include <ldap.h>

#include <chrono>
#include <memory>

namespace sunset {

// Owners for what libldap allocates: each with the free function libldap documents for it.
struct LdapUnbind {
    void operator()(LDAP* ld) const { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
struct MessageFree {
    void operator()(LDAPMessage* message) const { ldap_msgfree(message); }
};
struct ControlFree {
    void operator()(LDAPControl* control) const { ldap_control_free(control); }
};
struct ControlsFree {
    void operator()(LDAPControl** controls) const { ldap_controls_free(controls); }
};
struct BerElementFree {
    void operator()(BerElement* ber) const { ber_free(ber, 0); } // 0: the buffer belongs to the message
};
struct BerMemFree {
    void operator()(void* memory) const { ber_memfree(memory); }
};
using MessagePtr = std::unique_ptr<LDAPMessage, MessageFree>;
using ControlPtr = std::unique_ptr<LDAPControl, ControlFree>;
using ControlsPtr = std::unique_ptr<LDAPControl*, ControlsFree>;
using BerElementPtr = std::unique_ptr<BerElement, BerElementFree>;
using BerValuesPtr = std::unique_ptr<berval, BerMemFree>; // the array from ldap_get_attribute_ber
using LdapStringPtr = std::unique_ptr<char, BerMemFree>;
struct BerVarrayFree {
    void operator()(char** strings) const { ber_memvfree(reinterpret_cast<void**>(strings)); }
};
using LdapStringsPtr = std::unique_ptr<char*, BerVarrayFree>;

inline timeval toTimeval(std::chrono::milliseconds ms)
{
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
    return tv;
}

} // namespace sunset
