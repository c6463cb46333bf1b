/* keeps the library non-empty before its sources exist */
typedef int cidx_keep_translation_unit_nonempty;
