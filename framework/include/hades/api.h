// hades/api.h: HADES_API marks the interface types shared by the host and plugins.
//
// Plugins are built with hidden visibility. Interfaces whose vtables and type_info cross the
// boundary (Plugin, Source, Database, Context, ...) stay default-visible so that the host and a
// plugin agree on one type identity (dynamic_cast, exceptions).

#ifndef HADES_API_H_
#define HADES_API_H_

#if defined(__GNUC__) || defined(__clang__)
#define HADES_API __attribute__((visibility("default")))
#else
#define HADES_API
#endif

#endif  // HADES_API_H_
