/* category — how the review interface groups records (docs/export-format.md §7, §11):
 * course category and domain names, the course-group name a reviewer
 * switches to, item letters with their names and groups, and the fixed
 * order of all of them.  Pure functions over strings; owns no state. */
#ifndef BEISHEN_CATEGORY_H
#define BEISHEN_CATEGORY_H

#include <stddef.h>

#define CATEGORY_NAME_MAX 256

/* Name of a course category code (position 17), e.g. '5' -> "多元選修"; NULL if unknown. */
const char *category_course_type_name(char code);
/* Name of a two-character domain code, e.g. "03" -> "社會"; NULL if unknown. */
const char *category_domain_name(const char *domain_code);

/* The course name with one trailing parenthesised part removed
 * ("數學(一)" -> "數學", "實務專題（二）" -> "實務專題"). */
void category_subject(const char *course_name, char *out, size_t out_size);

/* The category a course row belongs to, from its 23-character code and its
 * name: "部定必修-數學", "選修-多元選修-社會領域", "彈性學習時間" …
 * Returns 0, or -1 when the code's category character is unknown. */
int category_of_course(const char *code, const char *name, char *out, size_t out_size);

/* Sort key of a course category so that groups appear in the documented
 * order: 部定必修, 校訂必修, 加深加廣, 補強性, 多元, 校訂選修, 團體活動,
 * 彈性學習, 大學預修, 其他; then by domain code.  Smaller first. */
int category_course_rank(const char *code);

/* Item letters (docs/export-format.md §11).  Name: 'B' -> "書面報告"; group: 'B' -> "課程學習成果".
 * Letters R and later are "其他" in group "其他" unless a title names them. */
const char *category_item_name(char item);
const char *category_item_group(char item);

/* The name of a core competency (核心素養) code of the 108 curriculum,
 * "A1" -> "身心素質與自我精進"; NULL if unknown. */
const char *category_competency_name(const char *code);

/* The five levels of a rubric (評量尺規), best first: 傑出 優良 普通 待加強 不佳. */
#define CATEGORY_RUBRIC_LEVELS 5
extern const char *const category_rubric_levels[CATEGORY_RUBRIC_LEVELS];

/* The group of a course record category. */
#define CATEGORY_GROUP_BASIC   "基本資料"
#define CATEGORY_GROUP_COURSES "修課紀錄"

#endif
