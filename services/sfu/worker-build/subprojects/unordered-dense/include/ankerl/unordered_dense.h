// Stand-in for ankerl::unordered_dense 4.x, whose source mediasoup would download at build time.
// The worker only uses map, set and hash; the standard containers provide the same interface.
#pragma once

#include <functional>
#include <unordered_map>
#include <unordered_set>

namespace ankerl::unordered_dense
{
	template<class T>
	using hash = std::hash<T>;

	template<class Key, class T, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>>
	using map = std::unordered_map<Key, T, Hash, KeyEqual>;

	template<class Key, class Hash = hash<Key>, class KeyEqual = std::equal_to<Key>>
	using set = std::unordered_set<Key, Hash, KeyEqual>;
} // namespace ankerl::unordered_dense
