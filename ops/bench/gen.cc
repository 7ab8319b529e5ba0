// leakwatch-gen: deterministic synthetic watchlists and leak corpora for the benches in
// ops/bench. Standard library only, so it builds even when the project libraries don't.
//
//   leakwatch-gen watchlist --count N [--seed S] [--phones-percent P]
//   leakwatch-gen corpus --size BYTES [--seed S] [--watchlist FILE --plant K --planted OUT
//                        [--planted-severity OUT2]] [--stats]
//   leakwatch-gen stealer --dir DIR --folders N [--seed S] [--watchlist FILE --plant K
//                         --planted OUT [--planted-severity OUT2]]
//
// The first two write to stdout, stealer a tree of victim folders. The same arguments give byte-identical output on every run and
// host: randomness comes from xoshiro256** seeded through splitmix64, never from
// std::random_device or <random> distributions, and no floating point is involved.
//
// Guarantees, by construction and for every pair of seeds:
//  * A watchlist has no duplicate, even after lower-casing or deleting '.' and '_':
//    identifier i is a keyed permutation of i, decoded into (name stem, number) for an
//    email and into (prefix, 8 digits) for a phone.
//  * A corpus holds no watchlist identifier except the planted ones:
//    - watchlist email local parts start with a letter and end with a digit; corpus
//      local parts end with a letter or are all digits. Every corpus email is preceded
//      by a character that cannot be in a local part, so extraction cannot glue more on.
//    - watchlist phones use the prefixes 130-139, 150-153, 155-159 and 180-189; corpus
//      phones use 170, 176-178, 198 and 199. Outside the planted identifiers, no run of
//      digits in the corpus holds an 11-digit window starting with 13, 15 or 18
//      (Sanitize() rewrites the rare random one), so no watchlist phone hides inside
//      an order number, an ID number, a hash or a base64 payload either. Digit groups
//      that a lax scanner could join across '.', '-' or ' ' (IP addresses, dates) cannot
//      join into such a window either.
//  * Planted identifiers are written in plain form (the exact email, or the phone in one
//    of the forms below), delimited by characters that cannot extend them.
//  * A planted identifier goes only into a record whose severity is unambiguous (see
//    CorpusWriter::Route): a credential record holds a non-empty password that is
//    password-like under every rule (PlantedPassword), an exposure record holds nothing
//    password-like at all. OUT2 lists that severity beside each planted identifier.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace {

using u64 = std::uint64_t;
using u32 = std::uint32_t;
using std::string_view;

// ---------------------------------------------------------------------------------------
// Randomness

u64 Mix64(u64 z) {  // splitmix64's finalizer: a bijection on 64-bit values
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class Rng {  // xoshiro256**
 public:
  explicit Rng(u64 seed) {
    for (u64& word : s_) word = Mix64(seed += 0x9e3779b97f4a7c15ULL);
  }
  u64 Next() {
    const u64 result = Rotl(s_[1] * 5, 7) * 9;
    const u64 t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n) for n < 2^32 (Lemire's multiply-shift; the bias is negligible).
  u32 Below(u32 n) { return static_cast<u32>(((Next() >> 32) * n) >> 32); }
  u32 Between(u32 lo, u32 hi) { return lo + Below(hi - lo + 1); }  // inclusive
  bool Percent(u32 p) { return Below(100) < p; }
  template <class T, std::size_t N>
  const T& Pick(const T (&table)[N]) { return table[Below(N)]; }
  template <class T>
  const T& Pick(const std::vector<T>& table) { return table[Below(static_cast<u32>(table.size()))]; }

 private:
  static u64 Rotl(u64 x, int k) { return (x << k) | (x >> (64 - k)); }
  u64 s_[4];
};

// A keyed bijection on [0, size): a 4-round Feistel network on the smallest even number
// of bits that covers size, with cycle walking for the values past size.
class Permutation {
 public:
  Permutation(u64 size, u64 key) : size_(size) {
    int bits = 2;
    while (bits < 62 && (u64{1} << bits) < size) bits += 2;
    half_bits_ = bits / 2;
    mask_ = (u64{1} << half_bits_) - 1;
    for (int r = 0; r < 4; ++r) keys_[r] = Mix64(key + 0x632be59bd9b4e019ULL * (r + 1));
  }
  u64 operator()(u64 x) const {
    do x = Encrypt(x);
    while (x >= size_);
    return x;
  }

 private:
  u64 Encrypt(u64 x) const {
    u64 left = x >> half_bits_, right = x & mask_;
    for (u64 key : keys_) {
      u64 next = left ^ (Mix64(right ^ key) & mask_);
      left = right;
      right = next;
    }
    return (left << half_bits_) | right;
  }
  u64 size_;
  int half_bits_;
  u64 mask_;
  u64 keys_[4];
};

// ---------------------------------------------------------------------------------------
// Buffered output. Records are written straight into a large buffer that is flushed only
// between records, so pointers into the current record stay valid while it is built.

class Output {
 public:
  static constexpr std::size_t kCapacity = 8 << 20;
  static constexpr std::size_t kFlushAt = kCapacity - (512 << 10);  // records are < 16 KiB

  explicit Output(std::FILE* file) : file_(file), buffer_(new char[kCapacity]), end_(buffer_.get()) {}

  void Put(string_view s) {
    std::memcpy(end_, s.data(), s.size());
    end_ += s.size();
  }
  void Put(char c) { *end_++ = c; }
  void PutUint(u64 v) {
    char tmp[20];
    int n = 0;
    do tmp[n++] = static_cast<char>('0' + v % 10);
    while ((v /= 10) != 0);
    while (n > 0) *end_++ = tmp[--n];
  }
  void PutDigits(u64 v, int width) {  // zero-padded to exactly width digits
    for (int i = width - 1; i >= 0; --i) {
      end_[i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    end_ += width;
  }
  char* Mark() const { return end_; }
  // Drops what was written after mark, which must be in the current record.
  void Truncate(char* mark) { end_ = mark; }
  u64 Written() const { return flushed_ + static_cast<u64>(end_ - buffer_.get()); }
  void MaybeFlush() {
    if (static_cast<std::size_t>(end_ - buffer_.get()) >= kFlushAt) Flush();
  }
  // Flushes what is buffered to the current file, then writes to `file` from here on.
  void Retarget(std::FILE* file) {
    Flush();
    file_ = file;
  }
  void Flush() {
    std::size_t n = static_cast<std::size_t>(end_ - buffer_.get());
    if (n != 0 && std::fwrite(buffer_.get(), 1, n, file_) != n) {
      std::perror("leakwatch-gen: write");
      std::exit(1);
    }
    flushed_ += n;
    end_ = buffer_.get();
  }

 private:
  std::FILE* file_;
  std::unique_ptr<char[]> buffer_;
  char* end_;
  u64 flushed_ = 0;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Rewrites every 11-digit window that starts with 13, 15 or 18 inside a digit run of
// [begin, end) to start with 17, except windows that start inside [keep_begin, keep_end)
// (a planted phone). See the guarantees at the top of the file.
void Sanitize(char* begin, char* end, const char* keep_begin, const char* keep_end) {
  for (char* p = begin; p < end;) {
    if (!IsDigit(*p)) {
      ++p;
      continue;
    }
    char* run = p;
    while (p < end && IsDigit(*p)) ++p;
    for (char* k = run; p - k >= 11; ++k) {
      if (k[0] == '1' && (k[1] == '3' || k[1] == '5' || k[1] == '8') && !(k >= keep_begin && k < keep_end))
        k[1] = '7';
    }
  }
}

// ---------------------------------------------------------------------------------------
// Vocabulary

constexpr string_view kSurnames[] = {
    "wang", "li",   "zhang", "liu",  "chen",  "yang", "huang", "zhao", "wu",   "zhou",
    "xu",   "sun",  "ma",    "zhu",  "hu",    "guo",  "he",    "gao",  "lin",  "luo",
    "zheng", "liang", "xie", "song", "tang",  "han",  "feng",  "deng", "cao",  "peng",
    "zeng", "xiao", "tian",  "dong", "pan",   "yuan", "cai",   "jiang", "yu",  "du",
    "ye",   "cheng", "wei",  "su",   "lv",    "ding", "ren",   "shen", "yao",  "lu",
    "cui",  "zhong", "tan",  "fan",  "jin",   "shi",  "liao",  "jia",  "xia",  "fu",
    "fang", "bai",  "zou",   "meng", "xiong", "qin",  "qiu",   "yin",  "xue",  "yan",
    "duan", "lei",  "hou",   "long", "shao",  "wan",  "qian",  "kong", "mao",  "hao"};
constexpr string_view kGiven[] = {
    "wei",  "fang", "na",   "min",  "jing", "li",    "qiang", "lei",  "jun",  "yang",
    "yong", "yan",  "jie",  "juan", "tao",  "ming",  "chao",  "xiu",  "xia",  "ping",
    "gang", "gui",  "hua",  "hui",  "lan",  "ling",  "mei",   "ni",   "qing", "rong",
    "shan", "ting", "xin",  "xue",  "yu",   "yun",   "zhen",  "hao",  "yi",   "kai",
    "peng", "fei",  "bo",   "bin",  "hong", "jian",  "chen",  "dan",  "feng", "guang",
    "hai",  "jia",  "lin",  "long", "ning", "rui",   "shuang", "tian", "wen", "xiang",
    "xiao", "yue",  "zhi",  "zi",   "han",  "qi",    "meng",  "shu",  "ying", "hang"};
constexpr string_view kFirstEn[] = {
    "james", "john", "robert", "michael", "william", "david", "richard", "joseph", "thomas",
    "charles", "mary", "patricia", "jennifer", "linda", "elizabeth", "barbara", "susan",
    "jessica", "sarah", "karen", "kevin", "jason", "eric", "tony", "jack", "lucy", "amy",
    "emma", "olivia", "sophia", "daniel", "matthew", "andrew", "peter", "alex", "chris",
    "grace", "helen", "anna", "lily", "leo", "max", "sam", "ben", "tom", "nick", "ryan",
    "kate", "emily", "alice", "cindy", "vivian", "vicky", "sunny", "coco", "angel", "jerry",
    "frank", "simon", "steven"};
constexpr string_view kLastEn[] = {
    "smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "wilson",
    "anderson", "taylor", "thomas", "moore", "martin", "jackson", "thompson", "white",
    "harris", "clark", "lewis", "walker", "young", "allen", "king", "wright", "scott",
    "green", "baker", "adams", "nelson", "hill", "campbell", "mitchell", "roberts", "carter",
    "phillips", "evans", "turner", "parker", "collins", "edwards", "stewart", "morris",
    "murphy", "cook", "rogers", "morgan", "cooper", "peterson", "reed", "bailey", "bell",
    "kelly", "howard", "ward", "cox", "lee", "chan", "wong", "ng"};
constexpr string_view kWords[] = {
    "sunny", "happy", "lucky", "angel", "tiger", "dragon", "panda", "cat", "dog", "star",
    "moon", "sky", "rain", "snow", "wind", "fish", "bear", "cool", "super", "baby",
    "love", "dream", "smile", "candy", "apple", "lemon", "ocean", "river", "magic", "ninja"};
constexpr string_view kLetterTails[] = {"a",   "x",    "cn", "bj", "sh", "gz", "vip",
                                        "love", "ok", "z",  "yy", "lee", "hz", "sz"};

struct Weighted {
  string_view value;
  u32 weight;
};

// Expands a weighted table into equally likely slots, so picking is one Below().
std::vector<string_view> Expand(std::initializer_list<Weighted> table) {
  std::vector<string_view> slots;
  for (const Weighted& w : table) slots.insert(slots.end(), w.weight, w.value);
  return slots;
}

const std::vector<string_view> kDomains = Expand({
    {"qq.com", 22},     {"163.com", 12},    {"126.com", 6},    {"sina.com", 4},
    {"foxmail.com", 4}, {"icloud.com", 8},  {"me.com", 2},     {"gmail.com", 14},
    {"outlook.com", 6}, {"yahoo.com", 4},   {"hotmail.com", 6}, {"139.com", 3},
    {"aliyun.com", 3},  {"sohu.com", 2},    {"yeah.net", 2},   {"189.cn", 1},
    {"live.com", 1}});

// Chinese mobile prefixes, disjoint between watchlists and corpus noise.
constexpr u32 kWatchPrefixes[] = {130, 131, 132, 133, 134, 135, 136, 137, 138, 139,
                                  150, 151, 152, 153, 155, 156, 157, 158, 159, 180,
                                  181, 182, 183, 184, 185, 186, 187, 188, 189};
constexpr u32 kNoisePrefixes[] = {170, 176, 177, 178, 198, 199};
constexpr u64 kWatchPhoneSpace = std::size(kWatchPrefixes) * u64{100000000};
constexpr u32 kEmailNumbers = 10000;  // watchlist locals end in a number 0..9999

constexpr string_view kHanSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                        "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"};
constexpr string_view kHanGiven[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇",
                                     "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚",
                                     "桂英", "建华", "志强", "海燕", "晓明", "雪", "婷婷"};
constexpr string_view kCities[] = {"北京", "上海", "广州", "深圳", "杭州", "成都", "武汉",
                                   "南京", "西安", "重庆", "天津", "苏州", "长沙", "郑州"};
constexpr string_view kDistricts[] = {"朝阳区", "海淀区", "浦东新区", "天河区", "南山区",
                                      "西湖区", "武侯区", "江汉区", "鼓楼区", "雁塔区"};
constexpr string_view kRoads[] = {"建国路", "人民路", "中山路", "解放路", "长安街", "科技园路",
                                  "文一西路", "天府大道", "珠江路", "南京路"};
constexpr string_view kCommonPasswords[] = {
    "123456",    "123456789", "111111",   "5201314",  "woaini1314", "qwerty",   "abc123",
    "a123456",   "password",  "1qaz2wsx", "iloveyou", "000000",     "88888888", "zxcvbnm",
    "qq123456",  "Aa123456",  "123qwe",   "admin",    "P@ssw0rd",   "abc@123",  "woaini",
    "66666666",  "123123",    "654321",   "qwe123",   "1q2w3e4r",   "aa123456", "Passw0rd!"};
constexpr string_view kLoginUrls[] = {
    "https://passport.baidu.com/v2/?login",       "https://login.taobao.com/member/login.jhtml",
    "https://passport.jd.com/new/login.aspx",     "https://accounts.google.com/signin/v2",
    "https://appleid.apple.com/sign-in",           "https://mail.qq.com/cgi-bin/loginpage",
    "https://mail.163.com/",                       "https://www.facebook.com/login.php",
    "https://passport.bilibili.com/login",         "https://login.live.com/login.srf",
    "https://weibo.com/login.php",                 "https://www.douyin.com/passport/web/login",
    "https://account.xiaomi.com/pass/serviceLogin", "https://id.163.com/login",
    "https://github.com/session",                  "https://www.zhihu.com/signin",
    "https://login.steampowered.com/",             "https://secure.paypal.com/signin"};
constexpr string_view kApplications[] = {"Google_[Chrome]_Default", "Google_[Chrome]_Profile 1",
                                         "Microsoft_[Edge]_Default", "Mozilla_[Firefox]_default-release",
                                         "Tencent_[QQBrowser]_Default", "360_[360Chrome]_Default"};
constexpr string_view kEnFiller[] = {
    "The shipment was delayed because of the holiday schedule.",
    "Our team will review the request and reply within two business days.",
    "Thanks again for your patience while we migrate the accounts.",
    "All passwords were reset after the incident last week.",
    "The archive below was shared on a public forum and mirrored several times.",
    "Please do not reply to this automated message.",
    "Prices include tax and free delivery for orders over 99 yuan.",
    "The meeting has been moved to Thursday afternoon at the Shenzhen office.",
    "We found the dump on a file sharing site; it appears to be from 2019.",
    "Customers who registered before March should check their settings."};
constexpr string_view kCnFiller[] = {
    "本店所有商品均为正品，支持七天无理由退换货。", "请在收到货后及时确认收货并给予评价。",
    "会员积分可在下次购物时抵扣现金。",             "近期有不法分子冒充客服，请注意防范诈骗。",
    "本次活动最终解释权归本公司所有。",             "数据来源于某论坛公开分享，仅供研究使用。",
    "如需开具发票，请在订单备注中注明抬头和税号。", "快递一般在下单后四十八小时内发出。"};
constexpr string_view kEnContact[] = {"Please contact", "For support write to", "Send the invoice to",
                                      "Leaked account:", "Reported by", "Questions? Email"};
constexpr string_view kEnCall[] = {"or call", "phone:", "mobile", "tel", "WhatsApp/WeChat"};
constexpr string_view kCnContact[] = {"如有疑问请联系", "联系邮箱", "客服邮箱", "投诉请发邮件至",
                                      "注册邮箱"};
constexpr string_view kCnCall[] = {"或拨打", "手机号", "联系电话", "微信同号", "客服热线"};
constexpr string_view kCsvHeaders[] = {
    "id,username,email,mobile,password,reg_time,reg_ip,city\n",
    "\"uid\",\"nickname\",\"phone\",\"email\",\"created_at\"\n",
    "姓名,手机号,身份证号,地址,邮箱\n",
    "user_id;email;phone;last_login\n"};
constexpr string_view kTables[] = {"users", "members", "pre_ucenter_members", "t_customer",
                                   "wp_users", "account"};
// Chinese leaks: passwords of 4..10 bytes, none 10 digits starting with 1 (a timestamp to
// a scanner) or holding '@'.
constexpr string_view kCnPasswords[] = {
    "123456",     "123456789", "111111",    "5201314",   "woaini1314", "a123456",   "qq123456",
    "123123",     "000000",    "woaini",    "woaini520", "aa123456",   "112233",    "666666",
    "888888",     "147258369", "1314520",   "a123456789", "asd123456", "zxc123456", "abc123456",
    "wang123456", "qwe123456", "iloveyou",  "Aa123456",  "woaini123",  "qwer1234",  "li123456"};
// The ones that mix letters and digits: password-like even after a comma.
constexpr string_view kCnMixedPasswords[] = {
    "a123456",   "woaini1314", "qq123456",  "aa123456",  "Abc12345",  "abc123456", "wang123456",
    "Aa123456",  "zxc123456",  "woaini520", "qwer1234",  "li123456",  "a123456789", "Qq123456"};
constexpr string_view kCnAccountLabels[] = {"账号", "帐号", "用户名", "登录账号"};
constexpr string_view kCnEmailLabels[] = {"账号", "邮箱", "帐号", "登录邮箱", "电子邮箱"};
constexpr string_view kCnPhoneLabels[] = {"手机号", "手机", "账号", "手机号码", "绑定手机"};
constexpr string_view kMemberTables[] = {"members", "cdb_members", "bbs_members", "dede_member"};
constexpr string_view kUcenterTables[] = {"uc_members", "pre_ucenter_members", "cdb_uc_members"};
constexpr string_view kCustomerTables[] = {"t_customer", "crm_contacts", "shop_address"};

// ---------------------------------------------------------------------------------------
// Identifiers

// Watchlist email stems: unique letter strings, with '|' where a separator may go.
std::vector<std::string> BuildStems() {
  std::vector<std::string> stems;
  for (string_view s : kSurnames) {
    for (string_view g1 : kGiven) {
      stems.push_back(std::string(s) + "|" + std::string(g1));
      stems.push_back(std::string(g1) + "|" + std::string(s));
      for (string_view g2 : kGiven) {
        stems.push_back(std::string(s) + "|" + std::string(g1) + std::string(g2));
        stems.push_back(std::string(g1) + std::string(g2) + "|" + std::string(s));
      }
    }
  }
  for (string_view f : kFirstEn) {
    for (string_view l : kLastEn) {
      stems.push_back(std::string(f) + "|" + std::string(l));
      stems.push_back(std::string(l) + "|" + std::string(f));
      stems.push_back(std::string(1, f[0]) + std::string(l));
    }
  }
  for (string_view w1 : kWords)
    for (string_view w2 : kWords) stems.push_back(std::string(w1) + std::string(w2));
  auto letters = [](const std::string& s) {
    std::string out;
    for (char c : s)
      if (c != '|') out.push_back(c);
    return out;
  };
  // Unique by letters alone, so "zhang|wei" and "zhangw|ei" cannot both render zhangwei.
  std::vector<std::pair<std::string, std::string>> keyed;
  keyed.reserve(stems.size());
  for (auto& s : stems) keyed.emplace_back(letters(s), std::move(s));
  std::sort(keyed.begin(), keyed.end());
  keyed.erase(std::unique(keyed.begin(), keyed.end(),
                          [](const auto& a, const auto& b) { return a.first == b.first; }),
              keyed.end());
  stems.clear();
  for (auto& k : keyed) stems.push_back(std::move(k.second));
  return stems;
}

void PutSeparated(Output& out, string_view stem, string_view sep) {
  for (std::size_t start = 0;;) {
    std::size_t bar = stem.find('|', start);
    out.Put(stem.substr(start, bar - start));
    if (bar == string_view::npos) return;
    out.Put(sep);
    start = bar + 1;
  }
}

enum class PhoneForm {
  kPlain,         // 13812345678
  kPlus,          // +8613812345678
  kPlusSpaced,    // +86 138 1234 5678
  kZeroZero,      // 0086-13812345678
  kCountryDash,   // 86-13812345678
  kDashed,        // 138-1234-5678
  kParenthesized, // (+86)13812345678
  kSpaced,        // 138 1234 5678
};

// Writes an 11-digit mobile in the given form.
void PutPhone(Output& out, const char* d, PhoneForm form) {
  string_view all(d, 11), head(d, 3), mid(d + 3, 4), tail(d + 7, 4);
  switch (form) {
    case PhoneForm::kPlain: out.Put(all); break;
    case PhoneForm::kPlus: out.Put("+86"); out.Put(all); break;
    case PhoneForm::kPlusSpaced:
      out.Put("+86 "); out.Put(head); out.Put(' '); out.Put(mid); out.Put(' '); out.Put(tail);
      break;
    case PhoneForm::kZeroZero: out.Put("0086-"); out.Put(all); break;
    case PhoneForm::kCountryDash: out.Put("86-"); out.Put(all); break;
    case PhoneForm::kDashed:
      out.Put(head); out.Put('-'); out.Put(mid); out.Put('-'); out.Put(tail);
      break;
    case PhoneForm::kParenthesized: out.Put("(+86)"); out.Put(all); break;
    case PhoneForm::kSpaced:
      out.Put(head); out.Put(' '); out.Put(mid); out.Put(' '); out.Put(tail);
      break;
  }
}

PhoneForm AnyForm(Rng& rng) {
  static constexpr PhoneForm kForms[] = {
      PhoneForm::kPlain,      PhoneForm::kPlain,      PhoneForm::kPlain,    PhoneForm::kPlain,
      PhoneForm::kPlus,       PhoneForm::kPlusSpaced, PhoneForm::kZeroZero, PhoneForm::kCountryDash,
      PhoneForm::kDashed,     PhoneForm::kDashed,     PhoneForm::kParenthesized, PhoneForm::kSpaced};
  return rng.Pick(kForms);
}
PhoneForm CompactForm(Rng& rng) {  // for fields that rarely hold spaces: combo lists, usernames
  return rng.Percent(85) ? PhoneForm::kPlain : PhoneForm::kPlus;
}

// An identifier taken from the watchlist file, to be written in plain form.
struct Planted {
  std::string text;  // as in the watchlist file
  bool phone;        // a Chinese mobile: digits holds its 11 digits
  char digits[11];
};

// ---------------------------------------------------------------------------------------
// watchlist

struct WatchlistOptions {
  u64 count = 0;
  u64 seed = 1;
  u32 phones_percent = 30;
};

int GenerateWatchlist(const WatchlistOptions& opt) {
  const std::vector<std::string> stems = BuildStems();
  const u64 email_space = stems.size() * u64{kEmailNumbers};
  if (opt.count > email_space || opt.count > kWatchPhoneSpace) {
    std::fprintf(stderr, "leakwatch-gen: --count is limited to %llu\n",
                 static_cast<unsigned long long>(std::min(email_space, kWatchPhoneSpace)));
    return 2;
  }
  const u64 key = Mix64(opt.seed ^ 0x5741544348ULL);
  const Permutation email_perm(email_space, key + 1);
  const Permutation phone_perm(kWatchPhoneSpace, key + 2);
  Output out(stdout);
  for (u64 i = 0; i < opt.count; ++i) {
    out.MaybeFlush();
    const u64 h = Mix64(i ^ (key + 3));
    if (h % 100 < opt.phones_percent) {
      const u64 v = phone_perm(i);
      out.PutUint(kWatchPrefixes[v / 100000000]);
      out.PutDigits(v % 100000000, 8);
    } else {
      const u64 v = email_perm(i);
      const u32 inner = static_cast<u32>((h >> 8) % 100), before_number = static_cast<u32>((h >> 16) % 100);
      PutSeparated(out, stems[v / kEmailNumbers], inner < 60 ? "" : inner < 85 ? "." : "_");
      if (before_number >= 80) out.Put(before_number < 90 ? '_' : '.');
      out.PutUint(v % kEmailNumbers);
      out.Put('@');
      out.Put(kDomains[(h >> 24) % kDomains.size()]);
    }
    out.Put('\n');
  }
  out.Flush();
  return 0;
}

// ---------------------------------------------------------------------------------------
// corpus

struct CorpusOptions {
  u64 size = 0;
  u64 seed = 1;
  std::string watchlist;
  u64 plant = 0;
  std::string planted_out;
  std::string severity_out;  // --planted-severity: "identifier<TAB>credential|exposure" lines
  bool stats = false;
};

enum class Section { kCombo, kDashCombo, kLabelled, kCsv, kSql, kJson, kStealer, kHtml, kProse, kBase64, kLog };
constexpr std::size_t kSectionKinds = 11;
constexpr const char* kSectionNames[kSectionKinds] = {"combo", "----combo", "labelled", "csv",    "sql", "json",
                                                      "stealer", "html",    "prose",    "base64", "log"};

// The severity a matcher should give a planted identifier: credential when a password or
// password hash is in the same record, else exposure.
enum class Severity { kExposure, kCredential };

struct CorpusStats {
  u64 emails = 0;  // in plain text (not inside base64)
  u64 phones = 0;
  u64 planted = 0;
  u64 planted_credential = 0;
  u64 section_bytes[kSectionKinds] = {};
  u64 section_ids[kSectionKinds] = {};
  u64 section_planted[kSectionKinds] = {};
};

// Reads identifiers (one per line, optional ",label", CSV header skipped) and keeps a
// uniform sample of k of them (reservoir sampling), in a deterministic order.
bool SampleWatchlist(const std::string& path, u64 k, Rng& rng, std::vector<std::string>* sample) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    std::fprintf(stderr, "leakwatch-gen: cannot open %s: %s\n", path.c_str(), std::strerror(errno));
    return false;
  }
  std::vector<char> buf(1 << 20);
  std::string carry;
  u64 seen = 0;
  auto take = [&](string_view line) {
    if (std::size_t comma = line.find(','); comma != string_view::npos) line = line.substr(0, comma);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line == "identifier" || line == "\"identifier\"") return;
    if (seen < k) {
      sample->emplace_back(line);
    } else {
      u64 j = rng.Next() % (seen + 1);
      if (j < k) (*sample)[j].assign(line);
    }
    ++seen;
  };
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
    string_view chunk(buf.data(), n);
    for (std::size_t nl; (nl = chunk.find('\n')) != string_view::npos; chunk.remove_prefix(nl + 1)) {
      if (carry.empty()) {
        take(chunk.substr(0, nl));
      } else {
        carry.append(chunk.substr(0, nl));
        take(carry);
        carry.clear();
      }
    }
    carry.append(chunk);
  }
  if (!carry.empty()) take(carry);
  bool ok = !std::ferror(f);
  std::fclose(f);
  if (!ok) {
    std::fprintf(stderr, "leakwatch-gen: error reading %s\n", path.c_str());
    return false;
  }
  if (seen < k) {
    std::fprintf(stderr, "leakwatch-gen: --plant %llu but %s has only %llu identifiers\n",
                 static_cast<unsigned long long>(k), path.c_str(), static_cast<unsigned long long>(seen));
    return false;
  }
  return true;
}

Planted MakePlanted(std::string text) {
  Planted p{std::move(text), false, {}};
  if (p.text.find('@') != std::string::npos) return p;
  std::string digits;
  for (char c : p.text)
    if (IsDigit(c)) digits.push_back(c);
  if (digits.size() == 13 && digits.starts_with("86")) digits.erase(0, 2);
  if (digits.size() == 11 && digits[0] == '1' && digits[1] >= '3' && digits[1] <= '9') {
    p.phone = true;
    std::memcpy(p.digits, digits.data(), 11);
  }
  return p;  // anything else is written verbatim
}

class CorpusWriter {
 public:
  CorpusWriter(Output& out, u64 seed) : out_(out), rng_(Mix64(seed ^ 0x434f52505553ULL)) {}

  const CorpusStats& stats() const { return stats_; }

  // Writes sections until at least `size` bytes are out and every planted identifier
  // was written at or after its threshold offset, into a record that gives it an
  // unambiguous severity; (*expected)[i] is the severity of planted[i].
  void Run(u64 size, const std::vector<Planted>& planted, const std::vector<u64>& thresholds,
           std::vector<Severity>* expected) {
    // Equally likely slots; sections have the same length distribution, so a section's
    // share of slots is roughly its share of bytes. Tuned for about one identifier per 68
    // bytes.
    static constexpr Section kSections[] = {
        Section::kCombo,    Section::kCombo,    Section::kCombo,
        Section::kDashCombo, Section::kDashCombo, Section::kDashCombo, Section::kDashCombo,
        Section::kLabelled, Section::kLabelled, Section::kLabelled,
        Section::kCsv,      Section::kCsv,      Section::kCsv,      Section::kCsv,
        Section::kSql,      Section::kSql,      Section::kSql,      Section::kSql,      Section::kSql,
        Section::kJson,     Section::kJson,     Section::kJson,
        Section::kStealer,  Section::kStealer,  Section::kStealer,
        Section::kHtml,
        Section::kProse,    Section::kProse,
        Section::kBase64,   Section::kBase64,   Section::kBase64,
        Section::kLog,      Section::kLog,      Section::kLog,      Section::kLog,      Section::kLog};
    expected->assign(planted.size(), Severity::kExposure);
    std::size_t next = 0;
    while (out_.Written() < size || next < planted.size()) {
      const Section section = rng_.Pick(kSections);
      const u64 section_start = out_.Written(), ids_before = stats_.emails + stats_.phones,
                planted_before = stats_.planted;
      const u64 section_end = section_start + (u64{1} << rng_.Between(11, 16)) + rng_.Below(4096);
      out_.MaybeFlush();
      BeginSection(section);
      do {
        out_.MaybeFlush();
        Severity severity = Severity::kExposure;
        const Planted* p = next < planted.size() && out_.Written() >= thresholds[next] &&
                                   Route(section, planted[next], &severity)
                               ? &planted[next]
                               : nullptr;
        keep_begin_ = keep_end_ = nullptr;
        char* record = out_.Mark();
        if (Record(section, p)) {
          (*expected)[next++] = severity;
          ++stats_.planted;
          if (severity == Severity::kCredential) ++stats_.planted_credential;
        }
        Sanitize(record, out_.Mark(), keep_begin_, keep_end_);
      } while (out_.Written() < section_end && out_.Written() < size);
      EndSection(section);
      const auto kind = static_cast<std::size_t>(section);
      stats_.section_bytes[kind] += out_.Written() - section_start;
      stats_.section_ids[kind] += stats_.emails + stats_.phones - ids_before;
      stats_.section_planted[kind] += stats_.planted - planted_before;
    }
  }

 protected:  // the stealer-log writer below reuses the records' fields
  enum Layout : u32 {
    // CSV, as in kCsvHeaders
    kCsvFull = 0, kCsvQuoted = 1, kCsvChinese = 2, kCsvSemicolon = 3,
    // SQL dumps
    kSqlPlain = 0,     // INSERT INTO `t` VALUES (id,'name','email','phone','md5',...): no column list
    kSqlMembers = 1,   // INSERT INTO members (uid,username,password,email,regdate) VALUES ...
    kSqlUcenter = 2,   // INSERT INTO uc_members (uid,username,password,email,myid,...) VALUES ...
    kSqlCustomer = 3,  // INSERT INTO t_customer (id,name,mobile,email,city,created_at): no password
    // labelled listings
    kLabelLine = 0,   // 账号：x@qq.com 密码：123456
    kLabelBlock = 1,  // 账号：x@qq.com\n密码：123456\n
    kLabelInfo = 2,   // 姓名：王伟 手机号：13800138000 地址：...: no password
    // JSON lines
    kJsonLogin = 0,     // {"email":...,"password":...,"phone":...}
    kJsonUser = 1,      // {"id":..,"username":..,"phone":..,"email":..,"password":"<md5>",...}
    kJsonProfile = 2,   // {"name":..,"email":..,"phone":..,"city":..}: no password
  };

  // Whether the next record of section s (in its current layout) takes planted identifier
  // p, and the severity it will then have. Records that take one are unambiguous: with a
  // non-empty password that any reading of the rules sees (a neighbouring field, a label,
  // a JSON key or a column list), or with nothing password-like in the record at all.
  // The rest defer p to a later record.
  bool Route(Section s, const Planted& p, Severity* severity) const {
    Severity credential = Severity::kCredential, exposure = Severity::kExposure;
    switch (s) {
      case Section::kCombo: case Section::kDashCombo: case Section::kStealer:
        *severity = credential;
        return true;
      case Section::kLabelled:
        *severity = labelled_layout_ == kLabelInfo ? exposure : credential;
        return true;
      case Section::kJson:
        *severity = json_layout_ == kJsonProfile ? exposure : credential;
        return true;
      case Section::kCsv:
        switch (csv_layout_) {
          case kCsvFull:  // the password column follows the mobile; a header, not a neighbour, before the email
            *severity = credential;
            return p.phone;
          case kCsvQuoted: case kCsvChinese:
            *severity = exposure;
            return true;
          default:  // a user id that could pass for a password precedes the email
            *severity = exposure;
            return p.phone;
        }
      case Section::kSql:
        switch (sql_layout_) {
          case kSqlPlain:  // the hash follows the phone; no column list, the hash is not beside the email
            *severity = credential;
            return p.phone;
          case kSqlCustomer:
            *severity = exposure;
            return true;
          default:
            *severity = credential;
            return true;
        }
      case Section::kHtml: case Section::kProse:
        *severity = exposure;
        return true;
      case Section::kBase64: case Section::kLog:
        return false;
    }
    return false;
  }

  // ---- identifiers in noise: provably never in a watchlist (see top of file)

  void NoiseEmail() {
    ++stats_.emails;
    const u32 style = rng_.Below(100);
    if (style < 20) {  // QQ number: all digits
      const u32 len = rng_.Between(5, 11);
      out_.Put(static_cast<char>('1' + rng_.Below(9)));
      for (u32 i = 1; i < len; ++i) out_.Put(static_cast<char>('0' + rng_.Below(10)));
      out_.Put(rng_.Percent(85) ? "@qq.com" : rng_.Percent(50) ? "@foxmail.com" : "@vip.qq.com");
      return;
    }
    char* start = out_.Mark();
    NoiseName();
    if (style >= 75) {  // digits, then letters: the local part still ends with a letter
      out_.PutUint(rng_.Below(rng_.Percent(50) ? 100 : 10000));
      out_.Put(rng_.Pick(kLetterTails));
    }
    if (rng_.Percent(4)) *start = static_cast<char>(*start - 'a' + 'A');
    out_.Put('@');
    out_.Put(rng_.Pick(kDomains));
  }

  // A name-like run of letters, '.' and '_' that starts and ends with a letter.
  void NoiseName() {
    static constexpr string_view kSeps[] = {"", "", "", ".", "_"};
    const string_view sep = rng_.Pick(kSeps);
    switch (rng_.Below(6)) {
      case 0: case 1:
        out_.Put(rng_.Pick(kSurnames)); out_.Put(sep); out_.Put(rng_.Pick(kGiven));
        if (rng_.Percent(50)) out_.Put(rng_.Pick(kGiven));
        break;
      case 2:
        out_.Put(rng_.Pick(kGiven)); out_.Put(rng_.Pick(kGiven)); out_.Put(sep); out_.Put(rng_.Pick(kSurnames));
        break;
      case 3:
        out_.Put(rng_.Pick(kFirstEn)); out_.Put(sep); out_.Put(rng_.Pick(kLastEn));
        break;
      case 4:
        out_.Put(rng_.Pick(kFirstEn)[0]); out_.Put(rng_.Pick(kLastEn));
        break;
      default:
        out_.Put(rng_.Pick(kWords)); out_.Put(sep); out_.Put(rng_.Pick(kWords));
        break;
    }
  }

  void NoisePhone(PhoneForm form) {
    ++stats_.phones;
    char d[11];
    u32 prefix = rng_.Pick(kNoisePrefixes);
    d[0] = '1';
    d[1] = static_cast<char>('0' + prefix / 10 % 10);
    d[2] = static_cast<char>('0' + prefix % 10);
    u64 rest = rng_.Next() % 100000000;
    for (int i = 10; i >= 3; --i, rest /= 10) d[i] = static_cast<char>('0' + rest % 10);
    PutPhone(out_, d, form);
  }

  // Emails and phones: noise, or the planted identifier when it is due and of that kind.
  // Returns whether it wrote the planted one.
  bool Email(const Planted*& p) {
    if (p != nullptr && !p->phone) return PutPlanted(p, PhoneForm::kPlain);
    NoiseEmail();
    return false;
  }
  bool Phone(const Planted*& p, PhoneForm form) {
    if (p != nullptr && p->phone) return PutPlanted(p, form);
    NoisePhone(form);
    return false;
  }
  bool PutPlanted(const Planted*& p, PhoneForm form) {
    keep_begin_ = out_.Mark();
    if (p->phone) {
      ++stats_.phones;
      PutPhone(out_, p->digits, form);
    } else {
      ++(p->text.find('@') != std::string::npos ? stats_.emails : stats_.phones);
      out_.Put(p->text);
    }
    keep_end_ = out_.Mark();
    p = nullptr;
    return true;
  }
  // Either kind, in a field where both are plausible (a login).
  bool Login(const Planted*& p, u32 phone_percent) {
    if (p != nullptr) return PutPlanted(p, CompactForm(rng_));
    if (rng_.Percent(phone_percent)) {
      NoisePhone(CompactForm(rng_));
    } else {
      NoiseEmail();
    }
    return false;
  }

  // ---- other fields

  void Password() {
    switch (rng_.Below(20)) {
      case 0: case 1: case 2: case 3: case 4: case 5:
        out_.Put(rng_.Pick(kCommonPasswords));
        break;
      case 6: case 7: case 8: case 9: case 10:
        NoiseName();
        out_.PutUint(rng_.Below(rng_.Percent(50) ? 10000 : 1000000));
        break;
      case 11: case 12: case 13: case 14: case 15: case 16:
        Alnum(rng_.Between(6, 11));
        break;
      case 17: case 18:
        Hex(32);
        break;
      default:
        Alnum(rng_.Between(4, 8));
        out_.Put(rng_.Pick({'!', '#', '$', '*', '.', '&'}));
        out_.PutUint(rng_.Below(100));
        break;
    }
  }
  // Passwords as Chinese leaks have them: the usual suspects, pinyin with a year or
  // digits, birthdays, QQ-style digit strings, random ones.
  void ChinesePassword() {
    switch (rng_.Below(20)) {
      case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
        out_.Put(rng_.Pick(kCnPasswords));
        break;
      case 8: case 9: case 10: case 11:
        out_.Put(rng_.Pick(kSurnames));
        if (rng_.Percent(50)) out_.Put(rng_.Pick(kGiven));
        out_.PutUint(rng_.Percent(50) ? rng_.Between(1970, 2005) : rng_.Below(1000000));
        break;
      case 12: case 13:  // a birthday
        out_.PutUint(rng_.Between(1970, 2005));
        out_.PutDigits(rng_.Between(1, 12), 2);
        out_.PutDigits(rng_.Between(1, 28), 2);
        break;
      case 14: case 15:
        RandomDigits(rng_.Between(6, 9));
        break;
      default:
        Password();
        break;
    }
  }
  // A password for a record that holds a planted identifier: non-empty, 4..128 printable
  // ASCII bytes, no '@' or whitespace, never a date, a phone or a plain 10-digit number;
  // after a comma it also mixes letters with digits, or is an MD5 hex digest.
  void PlantedPassword(bool after_comma) {
    if (after_comma) {
      switch (rng_.Below(4)) {
        case 0: case 1: out_.Put(rng_.Pick(kCnMixedPasswords)); break;
        case 2: out_.Put(rng_.Pick(kSurnames)); out_.PutUint(rng_.Between(1970, 2005)); break;
        default: MixedHex(32); break;
      }
      return;
    }
    switch (rng_.Below(10)) {
      case 0: case 1: case 2: case 3: case 4: case 5: out_.Put(rng_.Pick(kCnPasswords)); break;
      case 6: case 7: out_.Put(rng_.Pick(kSurnames)); out_.Put(rng_.Pick(kGiven)); out_.PutUint(rng_.Below(10000)); break;
      case 8: Alnum(rng_.Between(6, 12)); break;
      default: MixedHex(32); break;
    }
  }
  // n hex digits holding at least one letter and one digit (n >= 2).
  void MixedHex(u32 n) {
    char* begin = out_.Mark();
    Hex(n);
    char* end = out_.Mark();
    if (std::none_of(begin, end, IsDigit)) begin[0] = '0';
    if (std::all_of(begin, end, IsDigit)) begin[0] = 'a';
  }
  void Alnum(u32 n) {  // starts with a letter, so at most n-1 digits in a row
    static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    out_.Put(kChars[rng_.Below(52)]);
    for (u32 i = 1; i < n; ++i) out_.Put(kChars[rng_.Below(62)]);
  }
  void Hex(u32 n) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (u32 i = 0; i < n; i += 16) {
      u64 v = rng_.Next();
      for (u32 j = i; j < n && j < i + 16; ++j, v >>= 4) out_.Put(kHex[v & 15]);
    }
  }
  void RandomDigits(u32 n) {
    for (u32 i = 0; i < n; ++i) out_.Put(static_cast<char>('0' + rng_.Below(10)));
  }
  void Timestamp(char date_time_sep) {
    // No 2013, 2015 or 2018: joined with the date, those would start a 13x/15x/18x window.
    static constexpr u32 kYears[] = {2009, 2010, 2011, 2012, 2014, 2016, 2017, 2019, 2020, 2021, 2022, 2023};
    out_.PutUint(rng_.Pick(kYears));
    out_.Put('-');
    out_.PutDigits(rng_.Between(1, 12), 2);
    out_.Put('-');
    out_.PutDigits(rng_.Between(1, 28), 2);
    out_.Put(date_time_sep);
    out_.PutDigits(rng_.Below(24), 2);
    out_.Put(':');
    out_.PutDigits(rng_.Below(60), 2);
    out_.Put(':');
    out_.PutDigits(rng_.Below(60), 2);
  }
  void Ip() {
    // A scanner that joins digit groups across '.' reads up to 12 digits from the first
    // octet on, and fewer from any later one; so the first octet never holds 13, 15, 18.
    u32 first;
    do first = rng_.Between(1, 223);
    while (HoldsWatchPrefix(first));
    out_.PutUint(first);
    for (int i = 0; i < 3; ++i) {
      out_.Put('.');
      out_.PutUint(rng_.Below(256));
    }
  }
  static bool HoldsWatchPrefix(u32 v) {
    for (; v >= 10; v /= 10) {
      const u32 pair = v % 100;
      if (pair == 13 || pair == 15 || pair == 18) return true;
    }
    return false;
  }
  void IdNumber(bool allow_x = true) {  // 18-digit resident ID shape: region, birth date, sequence, check
    out_.PutUint(rng_.Between(110000, 659999));
    out_.PutUint(rng_.Between(1960, 2005));
    out_.PutDigits(rng_.Between(1, 12), 2);
    out_.PutDigits(rng_.Between(1, 28), 2);
    out_.PutDigits(rng_.Below(1000), 3);
    out_.Put(allow_x && rng_.Percent(9) ? 'X' : static_cast<char>('0' + rng_.Below(10)));
  }
  void HanName() {
    out_.Put(rng_.Pick(kHanSurnames));
    out_.Put(rng_.Pick(kHanGiven));
  }
  void Address() {
    out_.Put(rng_.Pick(kCities));
    out_.Put("市");
    out_.Put(rng_.Pick(kDistricts));
    out_.Put(rng_.Pick(kRoads));
    out_.PutUint(rng_.Between(1, 999));
    out_.Put("号");
  }

  // ---- sections

  void BeginSection(Section s) {
    switch (s) {
      case Section::kCombo:
        combo_sep_ = rng_.Pick({':', ':', ':', ':', ':', ';', '|', ',', '\t'});
        if (rng_.Percent(40)) {
          out_.Put("# ==== ");
          out_.Put(rng_.Pick(kDomains));
          out_.Put(rng_.Pick({" combo ", " combolist HQ ", " private mix ", " fresh valid "}));
          out_.PutUint(rng_.Between(2012, 2023));
          out_.Put(" ====\n");
        }
        break;
      case Section::kDashCombo:
        dash_sep_ = rng_.Percent(80) ? "----" : "---";
        combo_phone_percent_ = rng_.Pick({15u, 50u, 60u, 85u});
        if (rng_.Percent(30)) {
          out_.Put(rng_.Pick({"【", "#", "=== "}));
          out_.Put(rng_.Pick({"QQ邮箱", "163邮箱", "某游戏平台", "某论坛", "手机号", "社工库"}));
          out_.Put(rng_.Pick({" 账号", "账号", "帐号"}));
          out_.Put(dash_sep_);
          out_.Put(rng_.Pick({"密码", "密码】", "密码 ==="}));
          out_.Put('\n');
        }
        break;
      case Section::kLabelled: {
        const u32 r = rng_.Below(100);
        labelled_layout_ = r < 50 ? kLabelLine : r < 80 ? kLabelBlock : kLabelInfo;
        label_colon_ = rng_.Percent(80) ? "：" : ":";
        break;
      }
      case Section::kCsv:
        csv_layout_ = rng_.Pick({kCsvFull, kCsvFull, kCsvFull, kCsvFull, kCsvQuoted, kCsvQuoted, kCsvChinese,
                                 kCsvChinese, kCsvSemicolon, kCsvSemicolon});
        out_.Put(kCsvHeaders[csv_layout_]);
        break;
      case Section::kSql: {
        const u32 r = rng_.Below(100);
        sql_layout_ = r < 40 ? kSqlPlain : r < 65 ? kSqlMembers : r < 85 ? kSqlUcenter : kSqlCustomer;
        sql_table_ = sql_layout_ == kSqlPlain     ? rng_.Pick(kTables)
                     : sql_layout_ == kSqlMembers ? rng_.Pick(kMemberTables)
                     : sql_layout_ == kSqlUcenter ? rng_.Pick(kUcenterTables)
                                                  : rng_.Pick(kCustomerTables);
        sql_backticks_ = rng_.Percent(50);
        out_.Put("-- MySQL dump 10.13  Distrib 5.7.26\n-- Dumping data for table `");
        out_.Put(sql_table_);
        out_.Put("`\n\nLOCK TABLES `");
        out_.Put(sql_table_);
        out_.Put("` WRITE;\n");
        sql_rows_left_ = 0;
        break;
      }
      case Section::kJson: {
        const u32 r = rng_.Below(100);
        json_layout_ = r < 45 ? kJsonLogin : r < 75 ? kJsonUser : kJsonProfile;
        break;
      }
      case Section::kHtml:
        out_.Put("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>会员列表 - Members</title></head>\n<body>\n<table class=\"list\">\n");
        break;
      case Section::kStealer:
        out_.Put("*****************************************\n*  RedLine stealer export  -  Passwords  *\n*****************************************\n\n");
        break;
      case Section::kProse: case Section::kBase64: case Section::kLog:
        break;
    }
  }

  void EndSection(Section s) {
    out_.MaybeFlush();
    switch (s) {
      case Section::kSql:
        if (sql_rows_left_ > 0) out_.Put(";\n");
        out_.Put("UNLOCK TABLES;\n\n");
        break;
      case Section::kHtml:
        out_.Put("</table>\n</body></html>\n");
        break;
      case Section::kProse: case Section::kLabelled:
        out_.Put('\n');
        break;
      default:
        break;
    }
  }

  // Writes one record of the section; returns whether it wrote the planted identifier p.
  // A record that takes p was chosen by Route, which knows its severity: records write a
  // PlantedPassword() beside p wherever Route expects a credential.
  bool Record(Section s, const Planted* p) {
    bool planted = false;
    const bool planting = p != nullptr;
    switch (s) {
      case Section::kCombo:
        planted = Login(p, 12);
        out_.Put(combo_sep_);
        if (planting) {
          PlantedPassword(combo_sep_ == ',');
        } else {
          Password();
        }
        out_.Put('\n');
        break;

      case Section::kDashCombo:
        planted = Login(p, combo_phone_percent_);
        out_.Put(dash_sep_);
        if (planting) {
          PlantedPassword(false);
        } else {
          ChinesePassword();
        }
        out_.Put('\n');
        break;

      case Section::kLabelled:
        planted = LabelledRecord(p);
        break;

      case Section::kCsv:
        planted = CsvRow(p);
        break;

      case Section::kSql:
        planted = sql_layout_ == kSqlPlain ? SqlTuple(p) : SqlColumnTuple(p);
        break;

      case Section::kJson:
        planted = JsonLine(p);
        break;

      case Section::kStealer:
        out_.Put("URL: ");
        out_.Put(rng_.Pick(kLoginUrls));
        out_.Put("\nUsername: ");
        if (p == nullptr && rng_.Percent(10)) {
          NoiseName();
        } else {
          planted = Login(p, 20);
        }
        out_.Put("\nPassword: ");
        if (planting) {
          PlantedPassword(false);
        } else {
          Password();
        }
        out_.Put("\nApplication: ");
        out_.Put(rng_.Pick(kApplications));
        out_.Put("\n===============\n\n");
        break;

      case Section::kHtml:
        planted = HtmlFragment(p);
        break;

      case Section::kProse:
        planted = Prose(p);
        break;

      case Section::kBase64:
        Base64Blob();
        break;

      case Section::kLog:
        LogLine();
        break;
    }
    return planted;
  }

  // 账号：x@qq.com 密码：123456 / a two-line block / a listing without a password.
  bool LabelledRecord(const Planted* p) {
    const bool planting = p != nullptr;
    const bool phone = planting ? p->phone : rng_.Percent(40);
    auto label = [&](string_view name) {
      out_.Put(name);
      out_.Put(label_colon_);
    };
    bool planted = false;
    switch (labelled_layout_) {
      case kLabelLine:
      case kLabelBlock:
        label(rng_.Pick(phone ? kCnPhoneLabels : kCnEmailLabels));
        planted = phone ? Phone(p, CompactForm(rng_)) : Email(p);
        out_.Put(labelled_layout_ == kLabelLine ? rng_.Pick({" ", " ", "  "}) : "\n");
        label("密码");
        if (planting) {
          PlantedPassword(false);
        } else {
          ChinesePassword();
        }
        out_.Put('\n');
        if (labelled_layout_ == kLabelBlock) {
          if (rng_.Percent(30)) {
            label("注册时间");
            Timestamp(' ');
            out_.Put('\n');
          }
          out_.Put(rng_.Percent(50) ? "\n" : "--------------------\n");
        }
        break;
      default:  // kLabelInfo
        label("姓名");
        HanName();
        out_.Put(' ');
        if (phone) {
          label(rng_.Pick({"手机号", "电话", "联系方式"}));
          planted = Phone(p, CompactForm(rng_));
          out_.Put(' ');
          label("身份证");
          IdNumber(false);
          out_.Put(' ');
          label("地址");
          Address();
        } else {
          label(rng_.Pick({"邮箱", "电子邮箱"}));
          planted = Email(p);
          out_.Put(' ');
          label("城市");
          out_.Put(rng_.Pick(kCities));
        }
        out_.Put('\n');
        break;
    }
    return planted;
  }

  // One object per line; keys fixed per section, as a dump of one service has them.
  bool JsonLine(const Planted* p) {
    const bool planting = p != nullptr;
    bool planted = false;
    auto password = [&] {
      if (planting) {
        out_.Put('"');
        PlantedPassword(false);
        out_.Put('"');
      } else if (rng_.Percent(4)) {
        out_.Put(rng_.Percent(50) ? "null" : "\"\"");
      } else {
        out_.Put('"');
        if (json_layout_ == kJsonUser) {
          Hex(32);
        } else {
          ChinesePassword();
        }
        out_.Put('"');
      }
    };
    switch (json_layout_) {
      case kJsonLogin:
        out_.Put("{\"email\":\"");
        planted |= Email(p);
        out_.Put("\",\"password\":");
        password();
        out_.Put(",\"phone\":\"");
        if (planting || rng_.Percent(80)) planted |= Phone(p, CompactForm(rng_));
        out_.Put("\"}\n");
        break;
      case kJsonUser:
        out_.Put("{\"id\":");
        out_.PutUint(++row_id_);
        out_.Put(",\"username\":\"");
        NoiseName();
        out_.Put("\",\"phone\":\"");
        planted |= Phone(p, CompactForm(rng_));
        out_.Put("\",\"email\":\"");
        planted |= Email(p);
        out_.Put("\",\"password\":");
        password();
        out_.Put(",\"salt\":\"");
        Hex(6);
        out_.Put("\",\"reg_ip\":\"");
        Ip();
        out_.Put("\"}\n");
        break;
      default:  // kJsonProfile
        out_.Put("{\"name\":\"");
        HanName();
        out_.Put("\",\"email\":\"");
        planted |= Email(p);
        out_.Put("\",\"phone\":\"");
        planted |= Phone(p, CompactForm(rng_));
        out_.Put("\",\"city\":\"");
        out_.Put(rng_.Pick(kCities));
        out_.Put("\",\"created_at\":\"");
        Timestamp(' ');
        out_.Put("\"}\n");
        break;
    }
    return planted;
  }

  bool CsvRow(const Planted* p) {
    const bool planting = p != nullptr;
    bool planted = false;
    switch (csv_layout_) {
      case kCsvFull:  // id,username,email,mobile,password,reg_time,reg_ip,city
        out_.PutUint(++row_id_);
        out_.Put(',');
        NoiseName();
        out_.Put(',');
        planted |= Email(p);
        out_.Put(',');
        planted |= Phone(p, AnyForm(rng_));
        out_.Put(',');
        if (planting) {
          PlantedPassword(true);
        } else {
          Password();
        }
        out_.Put(',');
        Timestamp(' ');
        out_.Put(',');
        Ip();
        out_.Put(',');
        out_.Put(rng_.Pick(kCities));
        break;
      case kCsvQuoted:  // "uid","nickname","phone","email","created_at"
        out_.Put('"');
        out_.PutUint(++row_id_);
        out_.Put("\",\"");
        HanName();
        out_.Put("\",\"");
        planted |= Phone(p, AnyForm(rng_));
        out_.Put("\",\"");
        planted |= Email(p);
        out_.Put("\",\"");
        // ISO 8601 with its 'T' mixes a letter with digits: without the header in view,
        // that is what a password after a comma looks like.
        Timestamp(planting ? ' ' : 'T');
        out_.Put('"');
        break;
      case kCsvChinese:  // 姓名,手机号,身份证号,地址,邮箱
        HanName();
        out_.Put(',');
        planted |= Phone(p, AnyForm(rng_));
        out_.Put(',');
        IdNumber(!planting);  // "...123X" mixes a letter with digits, as a password does
        out_.Put(',');
        Address();
        out_.Put(',');
        if (planting || rng_.Percent(70)) planted |= Email(p);
        break;
      default:  // user_id;email;phone;last_login
        out_.PutUint(++row_id_);
        out_.Put(';');
        planted |= Email(p);
        out_.Put(';');
        planted |= Phone(p, AnyForm(rng_));
        out_.Put(';');
        Timestamp(' ');
        break;
    }
    out_.Put('\n');
    return planted;
  }

  bool SqlTuple(const Planted* p) {
    const bool planting = p != nullptr;
    if (sql_rows_left_ == 0) {
      out_.Put("INSERT INTO `");
      out_.Put(sql_table_);
      out_.Put("` VALUES ");
      sql_rows_left_ = rng_.Between(5, 40);
    } else {
      out_.Put(",\n");
    }
    bool planted = false;
    out_.Put('(');
    out_.PutUint(++row_id_);
    out_.Put(",'");
    NoiseName();
    out_.Put("','");
    planted |= Email(p);
    out_.Put("','");
    if (p != nullptr || rng_.Percent(75)) {
      static constexpr PhoneForm kSqlForms[] = {PhoneForm::kPlain, PhoneForm::kPlain, PhoneForm::kPlus,
                                                PhoneForm::kDashed};
      planted |= Phone(p, rng_.Pick(kSqlForms));
    }
    out_.Put("','");
    if (planting) {
      MixedHex(32);
    } else {
      Hex(32);
    }
    out_.Put("','");
    Alnum(6);
    out_.Put("','");
    switch (rng_.Below(4)) {  // a bio with escapes
      case 0: out_.Put("I\\'m new here\\nsay hi!"); break;
      case 1: Address(); out_.Put("\\n"); out_.Put(rng_.Pick(kCities)); break;
      case 2: out_.Put("\\\"VIP\\\" member since "); out_.PutUint(rng_.Between(2009, 2012)); break;
      default: break;
    }
    out_.Put("','");
    Timestamp(' ');
    out_.Put("')");
    if (--sql_rows_left_ == 0) out_.Put(";\n");
    return planted;
  }

  void PutSqlName(string_view name) {
    if (sql_backticks_) out_.Put('`');
    out_.Put(name);
    if (sql_backticks_) out_.Put('`');
  }
  u64 UnixTime() { return rng_.Between(1230000000, 1690000000); }

  // One tuple of an INSERT with a column list; the tuples of one INSERT share a line, as
  // mysqldump --complete-insert writes them.
  bool SqlColumnTuple(const Planted* p) {
    const bool planting = p != nullptr;
    if (sql_rows_left_ == 0) {
      static constexpr string_view kColumns[] = {
          "", "uid,username,password,email,regdate",
          "uid,username,password,email,myid,myidkey,regip,regdate,lastloginip,lastlogintime,salt,secques",
          "id,name,mobile,email,city,created_at"};
      out_.Put("INSERT INTO ");
      PutSqlName(sql_table_);
      out_.Put(" (");
      const string_view columns = kColumns[sql_layout_];
      for (std::size_t start = 0;;) {
        const std::size_t comma = columns.find(',', start);
        PutSqlName(columns.substr(start, comma - start));
        if (comma == string_view::npos) break;
        out_.Put(sql_backticks_ ? ", " : ",");
        start = comma + 1;
      }
      out_.Put(") VALUES ");
      sql_rows_left_ = rng_.Between(5, 40);
    } else {
      out_.Put(',');
    }
    bool planted = false;
    out_.Put('(');
    out_.PutUint(++row_id_);
    out_.Put(",'");
    if (sql_layout_ == kSqlCustomer) {
      HanName();
      out_.Put("','");
      planted |= Phone(p, PhoneForm::kPlain);
      out_.Put("','");
      if (planting || rng_.Percent(80)) planted |= Email(p);
      out_.Put("','");
      out_.Put(rng_.Pick(kCities));
      out_.Put("','");
      Timestamp(' ');
      out_.Put("')");
    } else {
      // The username is a name, or a mobile (the planted one when it is a phone).
      if (planting ? p->phone : rng_.Percent(15)) {
        planted |= Phone(p, PhoneForm::kPlain);
      } else {
        NoiseName();
      }
      out_.Put("','");
      if (planting) {
        MixedHex(32);
      } else {
        const u32 r = rng_.Below(100);
        if (r < 75) {
          Hex(32);
        } else if (r < 95) {
          ChinesePassword();  // plain text, as some sites kept them
        }
      }
      out_.Put("','");
      if (planting || rng_.Percent(92)) planted |= Email(p);
      if (sql_layout_ == kSqlMembers) {
        out_.Put("',");
        out_.PutUint(UnixTime());
      } else {  // ,myid,myidkey,regip,regdate,lastloginip,lastlogintime,salt,secques
        out_.Put("','','','");
        if (rng_.Percent(85)) {
          Ip();
        } else {
          out_.Put("hidden");
        }
        out_.Put("',");
        out_.PutUint(UnixTime());
        out_.Put(",0,");
        out_.PutUint(rng_.Percent(50) ? 0 : UnixTime());
        out_.Put(",'");
        Hex(6);
        out_.Put("',''");
      }
      out_.Put(')');
    }
    if (--sql_rows_left_ == 0) out_.Put(";\n");
    return planted;
  }

  bool HtmlFragment(const Planted* p) {
    bool planted = false;
    const u32 kind = p != nullptr ? rng_.Below(2) : rng_.Below(5);
    switch (kind) {
      case 0:  // table row
        out_.Put("<tr><td>");
        out_.PutUint(++row_id_);
        out_.Put("</td><td>");
        HanName();
        out_.Put("</td><td>");
        planted |= Email(p);
        out_.Put("</td><td>");
        planted |= Phone(p, AnyForm(rng_));
        out_.Put("</td></tr>\n");
        break;
      case 1:  // contact card
        out_.Put("<div class=\"contact\"><span class=\"name\">");
        NoiseName();
        out_.Put("</span> <span class=\"tel\">");
        planted |= Phone(p, AnyForm(rng_));
        out_.Put("</span> <span class=\"mail\">");
        planted |= Email(p);
        out_.Put("</span></div>\n");
        break;
      case 2: {  // mailto link: the same address twice
        out_.Put("<li><a href=\"mailto:");
        char* address = out_.Mark();
        NoiseEmail();
        string_view email(address, static_cast<std::size_t>(out_.Mark() - address));
        std::string copy(email);
        out_.Put("\">");
        out_.Put(copy);
        ++stats_.emails;
        out_.Put("</a></li>\n");
        break;
      }
      case 3:
        out_.Put("<p class=\"meta\">Posted by <a href=\"/u/");
        NoiseName();
        out_.Put("\">");
        HanName();
        out_.Put("</a> on ");
        Timestamp(' ');
        out_.Put("</p>\n");
        break;
      default:
        out_.Put("<script src=\"/static/js/app.");
        Hex(8);
        out_.Put(".js\"></script><img src=\"/upload/avatar/");
        Hex(16);
        out_.Put(".jpg\" alt=\"\">\n");
        break;
    }
    return planted;
  }

  bool Prose(const Planted* p) {
    bool planted = false;
    const bool chinese = rng_.Percent(45);
    if (p == nullptr && rng_.Percent(65)) {
      out_.Put(chinese ? rng_.Pick(kCnFiller) : rng_.Pick(kEnFiller));
      out_.Put(chinese ? "" : " ");
      if (rng_.Percent(15)) out_.Put("\n\n");
      return false;
    }
    const bool with_phone = p != nullptr ? p->phone : rng_.Percent(35);
    if (chinese) {
      out_.Put(with_phone ? rng_.Pick(kCnCall) : rng_.Pick(kCnContact));
      out_.Put(' ');
      planted = with_phone ? Phone(p, AnyForm(rng_)) : Email(p);
      out_.Put(" 。");
    } else {
      out_.Put(with_phone ? rng_.Pick(kEnCall) : rng_.Pick(kEnContact));
      out_.Put(' ');
      planted = with_phone ? Phone(p, AnyForm(rng_)) : Email(p);
      out_.Put(planted || rng_.Percent(50) ? " today. " : ". ");
    }
    if (rng_.Percent(15)) out_.Put("\n\n");
    return planted;
  }

  void Base64Blob() {
    // Payload: combo lines (emails that only an `encoded` match can see) or random bytes.
    std::string raw;
    const u32 target = rng_.Between(200, 3000);
    if (rng_.Percent(40)) {
      while (raw.size() < target) {
        char tmp[256];
        std::size_t n = EncodableComboLine(tmp);
        raw.append(tmp, n);
      }
    } else {
      while (raw.size() < target) {
        u64 v = rng_.Next();
        raw.append(reinterpret_cast<const char*>(&v), 8);
      }
    }
    static constexpr string_view kWrappers[][2] = {
        {"-----BEGIN PGP MESSAGE-----\n\n", "-----END PGP MESSAGE-----\n"},
        {"Content-Type: text/plain; name=\"accounts.txt\"\nContent-Transfer-Encoding: base64\n\n", "\n"},
        {"-----BEGIN ENCRYPTED DATA-----\n", "-----END ENCRYPTED DATA-----\n"}};
    const auto& wrapper = kWrappers[rng_.Below(std::size(kWrappers))];
    out_.Put(wrapper[0]);
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    u32 column = 0;
    auto put = [&](char c) {
      out_.Put(c);
      if (++column == 76) {
        out_.Put('\n');
        column = 0;
      }
    };
    const auto* b = reinterpret_cast<const unsigned char*>(raw.data());
    std::size_t i = 0;
    for (; i + 3 <= raw.size(); i += 3) {
      u32 v = (u32{b[i]} << 16) | (u32{b[i + 1]} << 8) | b[i + 2];
      put(kAlphabet[v >> 18]);
      put(kAlphabet[(v >> 12) & 63]);
      put(kAlphabet[(v >> 6) & 63]);
      put(kAlphabet[v & 63]);
    }
    if (i < raw.size()) {
      u32 v = u32{b[i]} << 16;
      if (i + 1 < raw.size()) v |= u32{b[i + 1]} << 8;
      put(kAlphabet[v >> 18]);
      put(kAlphabet[(v >> 12) & 63]);
      put(i + 1 < raw.size() ? kAlphabet[(v >> 6) & 63] : '=');
      put('=');
    }
    if (column != 0) out_.Put('\n');
    out_.Put(wrapper[1]);
  }

  // One "email:password\n" line into buf (< 256 bytes); its email is noise by construction.
  std::size_t EncodableComboLine(char* buf) {
    // Rendered with the usual writers at the end of the output, then taken back.
    char* begin = out_.Mark();
    NoiseEmail();
    --stats_.emails;  // not visible in plain text
    out_.Put(':');
    Password();
    out_.Put('\n');
    std::size_t n = static_cast<std::size_t>(out_.Mark() - begin);
    Sanitize(begin, out_.Mark(), nullptr, nullptr);  // a decoder sees these digits too
    std::memcpy(buf, begin, n);
    out_.Truncate(begin);
    return n;
  }

  void LogLine() {
    switch (rng_.Below(3)) {
      case 0:
        Timestamp(' ');
        out_.Put(" INFO order_id=E");
        RandomDigits(18);
        out_.Put(" user_id=");
        out_.PutUint(rng_.Between(1000, 99999999));
        out_.Put(" amount=");
        out_.PutUint(rng_.Below(5000));
        out_.Put('.');
        out_.PutDigits(rng_.Below(100), 2);
        out_.Put(" id_no=");
        IdNumber();
        out_.Put(" status=");
        out_.Put(rng_.Pick({"PAID", "SHIPPED", "REFUNDED", "CLOSED"}));
        out_.Put('\n');
        break;
      case 1:
        out_.Put('[');
        Timestamp('T');
        out_.Put("Z] GET /api/v1/orders/");
        RandomDigits(rng_.Between(12, 19));
        out_.Put(" 200 ");
        out_.PutUint(rng_.Between(1, 900));
        out_.Put("ms ip=");
        Ip();
        out_.Put(" trace=");
        Hex(32);
        out_.Put(" ua=\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36\"\n");
        break;
      default:
        out_.Put("tracking SF");
        RandomDigits(13);
        out_.Put(" card ");
        RandomDigits(16);
        out_.Put(" ref ");
        RandomDigits(18);
        out_.Put(" sha1 ");
        Hex(40);
        out_.Put('\n');
        break;
    }
  }

  Output& out_;
  Rng rng_;
  CorpusStats stats_;
  u64 row_id_ = 0;
  char combo_sep_ = ':';
  string_view dash_sep_ = "----";
  u32 combo_phone_percent_ = 50;
  u32 labelled_layout_ = kLabelLine;
  string_view label_colon_ = "：";
  u32 csv_layout_ = kCsvFull;
  u32 sql_layout_ = kSqlPlain;
  bool sql_backticks_ = true;
  u32 json_layout_ = kJsonLogin;
  string_view sql_table_ = "users";
  u32 sql_rows_left_ = 0;
  const char* keep_begin_ = nullptr;
  const char* keep_end_ = nullptr;
};

int GenerateCorpus(const CorpusOptions& opt) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<Planted> planted;
  std::vector<u64> thresholds;
  if (opt.plant > 0) {
    Rng rng(Mix64(opt.seed ^ 0x504c414e54ULL));
    std::vector<std::string> sample;
    if (!SampleWatchlist(opt.watchlist, opt.plant, rng, &sample)) return 1;
    std::unordered_set<std::string> seen;
    for (auto& s : sample)
      if (seen.insert(s).second) planted.push_back(MakePlanted(std::move(s)));
    if (planted.size() < opt.plant)
      std::fprintf(stderr, "leakwatch-gen: %s has duplicates; planting %zu distinct identifiers\n",
                   opt.watchlist.c_str(), planted.size());
    // Planted identifier i goes to the first record at or after a random offset in the
    // i-th of planted.size() equal slices of the corpus.
    const u64 k = planted.size();
    for (u64 i = 0; i < k; ++i) {
      const unsigned __int128 permille = u64{1000} * i + 100 + rng.Below(800);
      thresholds.push_back(static_cast<u64>(permille * opt.size / (u64{1000} * k)));
    }
    std::FILE* f = std::fopen(opt.planted_out.c_str(), "wb");
    if (f == nullptr) {
      std::fprintf(stderr, "leakwatch-gen: cannot write %s: %s\n", opt.planted_out.c_str(), std::strerror(errno));
      return 1;
    }
    for (const Planted& p : planted) std::fprintf(f, "%s\n", p.text.c_str());
    if (std::fclose(f) != 0) {
      std::fprintf(stderr, "leakwatch-gen: cannot write %s\n", opt.planted_out.c_str());
      return 1;
    }
  }
  Output out(stdout);
  CorpusWriter writer(out, opt.seed);
  std::vector<Severity> expected;
  writer.Run(opt.size, planted, thresholds, &expected);
  out.Flush();
  if (!opt.severity_out.empty()) {
    std::FILE* f = std::fopen(opt.severity_out.c_str(), "wb");
    if (f == nullptr) {
      std::fprintf(stderr, "leakwatch-gen: cannot write %s: %s\n", opt.severity_out.c_str(), std::strerror(errno));
      return 1;
    }
    for (std::size_t i = 0; i < planted.size(); ++i)
      std::fprintf(f, "%s\t%s\n", planted[i].text.c_str(),
                   expected[i] == Severity::kCredential ? "credential" : "exposure");
    if (std::fclose(f) != 0) {
      std::fprintf(stderr, "leakwatch-gen: cannot write %s\n", opt.severity_out.c_str());
      return 1;
    }
  }
  if (opt.stats) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const CorpusStats& s = writer.stats();
    const u64 ids = s.emails + s.phones;
    std::fprintf(stderr,
                 "leakwatch-gen: %llu bytes, %llu identifiers (%llu emails, %llu phones), "
                 "%.1f bytes/identifier, %llu planted, %.2f s, %.0f MB/s\n",
                 static_cast<unsigned long long>(out.Written()), static_cast<unsigned long long>(ids),
                 static_cast<unsigned long long>(s.emails), static_cast<unsigned long long>(s.phones),
                 ids ? static_cast<double>(out.Written()) / static_cast<double>(ids) : 0.0,
                 static_cast<unsigned long long>(s.planted), seconds,
                 static_cast<double>(out.Written()) / 1e6 / seconds);
    if (s.planted > 0)
      std::fprintf(stderr, "leakwatch-gen: planted %llu in credential records, %llu in exposure ones\n",
                   static_cast<unsigned long long>(s.planted_credential),
                   static_cast<unsigned long long>(s.planted - s.planted_credential));
    std::fprintf(stderr, "leakwatch-gen: %-10s %6s %11s %8s\n", "section", "bytes", "bytes/id", "planted");
    for (std::size_t i = 0; i < kSectionKinds; ++i) {
      const double bytes = static_cast<double>(s.section_bytes[i]);
      std::fprintf(stderr, "leakwatch-gen: %-10s %5.1f%% %11.1f %8llu\n", kSectionNames[i],
                   100.0 * bytes / static_cast<double>(std::max<u64>(out.Written(), 1)),
                   s.section_ids[i] ? bytes / static_cast<double>(s.section_ids[i]) : 0.0,
                   static_cast<unsigned long long>(s.section_planted[i]));
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------------------
// stealer logs

struct StealerOptions {
  std::string dir;  // created; must not exist
  u64 folders = 0;
  u64 seed = 1;
  std::string watchlist;
  u64 plant = 0;
  std::string planted_out;
  std::string severity_out;
};

// Writes infostealer victim folders as the markets sell them: RedLine (`Passwords.txt`,
// `UserInformation.txt`, `Autofills/`, `Cookies/`) and Raccoon (`passwords.txt`,
// `System Info.txt`, `autofill/`, `cookies/`), 3 to 5 small files each. Noise follows
// the corpus's guarantees (records go through the same field writers and Sanitize); a
// planted identifier is the login of one credential block of a folder's passwords file.
class StealerWriter : private CorpusWriter {
 public:
  StealerWriter(Output& out, u64 seed) : CorpusWriter(out, seed ^ 0x535445414cULL), out_(out) {}

  u64 files() const { return files_; }
  u64 bytes() const { return out_.Written(); }
  u64 identifiers() const { return stats().emails + stats().phones; }

  // Writes folder `index` under `root`, with `p` (or nothing when null) planted.
  void Folder(const std::string& root, u64 index, const Planted* p) {
    const bool redline = rng_.Percent(60);
    char name[64];
    std::snprintf(name, sizeof name, "%s[%016llX]", rng_.Pick(kCountries).data(),
                  static_cast<unsigned long long>(Mix64(index ^ 0x464f4c444552ULL)));
    const std::string folder = root + "/" + name + (redline ? "" : "_raccoon");
    if (redline) {
      File(folder + "/Passwords.txt", [&] {
        out_.Put("*****************************************\n*  RedLine stealer export  -  Passwords  *\n"
                 "*****************************************\n\n");
        Blocks(p, [&](const Planted* planted) {
          const bool planting = planted != nullptr;
          out_.Put("URL: ");
          out_.Put(rng_.Pick(kLoginUrls));
          out_.Put("\nUsername: ");
          Username(planted);
          out_.Put("\nPassword: ");
          BlockPassword(planting);
          out_.Put("\nApplication: ");
          out_.Put(rng_.Pick(kApplications));
          out_.Put("\n===============\n\n");
        });
      });
      File(folder + "/UserInformation.txt", [&] { UserInformation(); });
      if (rng_.Percent(70)) File(folder + "/Autofills/Google_[Chrome]_Default.txt", [&] { Autofills(true); });
      File(folder + "/Cookies/Google_[Chrome]_Default Network.txt", [&] { Cookies(); });
      if (rng_.Percent(40)) File(folder + "/Cookies/Microsoft_[Edge]_Default Network.txt", [&] { Cookies(); });
    } else {
      File(folder + "/passwords.txt", [&] {
        Blocks(p, [&](const Planted* planted) {
          const bool planting = planted != nullptr;
          out_.Put("URL:");
          out_.Put(rng_.Pick(kLoginUrls));
          out_.Put("\nUSER:");
          Username(planted);
          out_.Put("\nPASS:");
          BlockPassword(planting);
          out_.Put("\n\n");
        });
      });
      File(folder + "/System Info.txt", [&] { SystemInfo(); });
      File(folder + "/cookies/chrome_Default.txt", [&] { Cookies(); });
      if (rng_.Percent(60)) File(folder + "/autofill/chrome_Default.txt", [&] { Autofills(false); });
    }
  }

 private:
  static constexpr string_view kCountries[] = {"CN", "US", "IN", "BR", "VN", "ID", "RU", "TR", "PH", "DE", "FR", "MX"};
  static constexpr string_view kCookieHosts[] = {".google.com", ".youtube.com", ".facebook.com", ".baidu.com",
                                                 ".taobao.com", ".jd.com", ".bilibili.com", ".live.com",
                                                 ".github.com", ".steampowered.com", ".tiktok.com", ".qq.com"};
  static constexpr string_view kCookieNames[] = {"NID", "SID", "HSID", "__Secure-3PSID", "sessionid", "BAIDUID",
                                                 "cna", "thw", "_ga", "c_user", "xs", "steamLoginSecure"};
  static constexpr string_view kAutofillFields[] = {"name", "firstname", "lastname", "username", "city",
                                                    "company", "search", "q", "address"};

  // One file: the bytes written by `body`, the digit runs sanitized (all but the planted
  // identifier's), written out at once.
  template <class Body>
  void File(const std::string& path, Body body) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) {
      std::fprintf(stderr, "leakwatch-gen: cannot write %s: %s\n", path.c_str(), std::strerror(errno));
      std::exit(1);
    }
    out_.Retarget(f);
    keep_begin_ = keep_end_ = nullptr;
    char* begin = out_.Mark();
    body();
    Sanitize(begin, out_.Mark(), keep_begin_, keep_end_);
    out_.Retarget(nullptr);
    if (std::fclose(f) != 0) {
      std::fprintf(stderr, "leakwatch-gen: cannot write %s\n", path.c_str());
      std::exit(1);
    }
    ++files_;
  }

  // 1 to 8 credential blocks; the planted identifier (if any) in one of them.
  template <class Block>
  void Blocks(const Planted* p, Block block) {
    const u32 n = rng_.Between(1, 8), at = rng_.Below(n);
    for (u32 i = 0; i < n; ++i) block(i == at ? p : nullptr);
  }
  void Username(const Planted*& p) {
    if (p == nullptr && rng_.Percent(15)) {
      NoiseName();
    } else {
      Login(p, 15);  // clears p once written
    }
  }
  // The block of a planted identifier gets a password every rule reads as one.
  void BlockPassword(bool planting) {
    if (planting) {
      PlantedPassword(false);
    } else {
      Password();
    }
  }
  void UserInformation() {
    out_.Put("Build ID: ");
    out_.Put(rng_.Pick(kWords));
    out_.Put("\nIP: ");
    Ip();
    out_.Put("\nFileLocation: C:\\Users\\");
    NoiseName();
    out_.Put("\\AppData\\Local\\Temp\\");
    Alnum(8);
    out_.Put(".exe\nUserName: ");
    NoiseName();
    out_.Put("\nCountry: ");
    out_.Put(rng_.Pick(kCountries));
    out_.Put("\nZip Code: UNKNOWN\nLocation: ");
    out_.Put(rng_.Pick(kCities));
    out_.Put("\nHWID: ");
    Hex(32);
    out_.Put("\nCurrent Language: English (United States)\nScreenSize: {Width=1920, Height=1080}\n"
             "TimeZone: (UTC+08:00) Beijing, Chongqing, Hong Kong, Urumqi\n"
             "Operation System: Windows 10 Pro x64\nUAC: AllowAll\nProcess Elevation: False\nLog date: 07.12.2026 ");
    out_.PutDigits(rng_.Below(24), 2);
    out_.Put(':');
    out_.PutDigits(rng_.Below(60), 2);
    out_.Put(':');
    out_.PutDigits(rng_.Below(60), 2);
    out_.Put("\n\nAvailable KeyboardLayouts:\nEnglish (United States)\nChinese (Simplified, PRC)\n\nHardwares:\n"
             "Name: Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz, 4 Cores\nName: Intel(R) UHD Graphics 620, 1073741824 bytes\n"
             "Name: Total of RAM, 8077.85 MB or 8470179840 bytes\n\nAnti-Viruses:\nWindows Defender\n");
  }
  void SystemInfo() {
    out_.Put("System Information:\n\t- Locale: English\n\t- Time zone: UTC+8\n\t- OS: Windows 10 Pro\n"
             "\t- Architecture: x64\n\t- CPU: Intel(R) Core(TM) i7-9750H CPU @ 2.60GHz (6 cores)\n"
             "\t- RAM: 16268 MB\n\t- Display size: 1920x1080\n\t- Display Devices:\n\t\t0) NVIDIA GeForce GTX 1650\n"
             "\t- Computer Name: DESKTOP-");
    Alnum(7);
    out_.Put("\n\t- User: ");
    NoiseName();
    out_.Put("\n\t- IP: ");
    Ip();
    out_.Put("\n\nInstalled Apps:\n");
    static constexpr string_view kApps[] = {"Google Chrome", "Microsoft Edge", "WeChat", "Tencent QQ", "Steam",
                                            "7-Zip 19.00 (x64)", "Telegram Desktop", "WPS Office", "VLC media player"};
    for (u32 i = 0, n = rng_.Between(3, 9); i < n; ++i) {
      out_.Put('\t');
      out_.Put(rng_.Pick(kApps));
      out_.Put('\n');
    }
  }
  // RedLine: "Name: email\nValue: x@y.com\n\n"; Raccoon: "email x@y.com\n".
  void Autofills(bool redline) {
    for (u32 i = 0, n = rng_.Between(2, 10); i < n; ++i) {
      const bool email = rng_.Percent(40);
      out_.Put(redline ? "Name: " : "");
      out_.Put(email ? string_view("email") : rng_.Pick(kAutofillFields));
      out_.Put(redline ? "\nValue: " : " ");
      if (email) {
        NoiseEmail();
      } else {
        NoiseName();
      }
      out_.Put(redline ? "\n\n" : "\n");
    }
  }
  void Cookies() {
    for (u32 i = 0, n = rng_.Between(3, 12); i < n; ++i) {
      out_.Put(rng_.Pick(kCookieHosts));
      out_.Put("\tTRUE\t/\tFALSE\t");
      out_.PutUint(rng_.Between(1767225600, 1798761600));  // 2026-2027
      out_.Put('\t');
      out_.Put(rng_.Pick(kCookieNames));
      out_.Put('\t');
      Alnum(rng_.Between(16, 60));
      out_.Put('\n');
    }
  }
  // Octets whose digits stay short of any 11-digit window.
  void Ip() {
    static constexpr u32 kFirst[] = {23, 41, 62, 77, 91};
    out_.PutUint(rng_.Pick(kFirst));
    for (int i = 0; i < 3; ++i) {
      out_.Put('.');
      out_.PutUint(rng_.Below(100));
    }
  }

  Output& out_;
  u64 files_ = 0;
};

// Reads K identifiers from `watchlist` (reservoir sample, deduplicated) and writes them
// to `planted_out`, one per line.
bool SamplePlanted(const std::string& watchlist, u64 plant, u64 seed, const std::string& planted_out,
                   std::vector<Planted>* planted) {
  Rng rng(Mix64(seed ^ 0x504c414e54ULL));
  std::vector<std::string> sample;
  if (!SampleWatchlist(watchlist, plant, rng, &sample)) return false;
  std::unordered_set<std::string> seen;
  for (auto& s : sample)
    if (seen.insert(s).second) planted->push_back(MakePlanted(std::move(s)));
  std::FILE* f = std::fopen(planted_out.c_str(), "wb");
  if (f == nullptr) {
    std::fprintf(stderr, "leakwatch-gen: cannot write %s: %s\n", planted_out.c_str(), std::strerror(errno));
    return false;
  }
  for (const Planted& p : *planted) std::fprintf(f, "%s\n", p.text.c_str());
  return std::fclose(f) == 0;
}

int GenerateStealer(const StealerOptions& opt) {
  const auto started = std::chrono::steady_clock::now();
  if (opt.plant > opt.folders) {
    std::fprintf(stderr, "leakwatch-gen: --plant %llu is more than --folders\n", static_cast<unsigned long long>(opt.plant));
    return 2;
  }
  std::error_code ec;
  if (!std::filesystem::create_directory(opt.dir, ec)) {
    std::fprintf(stderr, "leakwatch-gen: cannot create %s: %s\n", opt.dir.c_str(),
                 ec ? ec.message().c_str() : "it exists");
    return 1;
  }
  std::vector<Planted> planted;
  if (opt.plant > 0 && !SamplePlanted(opt.watchlist, opt.plant, opt.seed, opt.planted_out, &planted)) return 1;
  // Planted identifier i goes to a random folder of the i-th of K equal slices.
  Rng rng(Mix64(opt.seed ^ 0x534c494345ULL));
  std::vector<u64> folder_of;
  for (u64 i = 0; i < planted.size(); ++i) {
    const u64 from = i * opt.folders / planted.size(), to = (i + 1) * opt.folders / planted.size();
    folder_of.push_back(from + rng.Below(static_cast<u32>(to - from)));
  }
  Output out(nullptr);
  StealerWriter writer(out, opt.seed);
  std::size_t next = 0;
  for (u64 i = 0; i < opt.folders; ++i) {
    const Planted* p = next < planted.size() && folder_of[next] == i ? &planted[next++] : nullptr;
    writer.Folder(opt.dir, i, p);
  }
  if (!opt.severity_out.empty()) {  // every planted identifier is the login of a credential block
    std::FILE* f = std::fopen(opt.severity_out.c_str(), "wb");
    if (f == nullptr) {
      std::fprintf(stderr, "leakwatch-gen: cannot write %s: %s\n", opt.severity_out.c_str(), std::strerror(errno));
      return 1;
    }
    for (const Planted& p : planted) std::fprintf(f, "%s\tcredential\n", p.text.c_str());
    if (std::fclose(f) != 0) return 1;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(stderr, "leakwatch-gen: %llu folders, %llu files, %llu bytes, %llu identifiers, %zu planted, %.2f s\n",
               static_cast<unsigned long long>(opt.folders), static_cast<unsigned long long>(writer.files()),
               static_cast<unsigned long long>(writer.bytes()), static_cast<unsigned long long>(writer.identifiers()),
               planted.size(), seconds);
  return 0;
}

// ---------------------------------------------------------------------------------------
// Command line

constexpr char kUsage[] =
    "usage: leakwatch-gen watchlist --count N [--seed S] [--phones-percent P]\n"
    "       leakwatch-gen corpus --size BYTES [--seed S] [--watchlist FILE --plant K --planted OUT\n"
    "                            [--planted-severity OUT2]] [--stats]\n"
    "       leakwatch-gen stealer --dir DIR --folders N [--seed S] [--watchlist FILE --plant K\n"
    "                             --planted OUT [--planted-severity OUT2]]\n"
    "\n"
    "watchlist  N distinct identifiers, one per line: emails and 11-digit Chinese mobiles\n"
    "           (P percent, default 30).\n"
    "corpus     a synthetic leak corpus of about BYTES bytes (suffixes KiB, MiB, GiB or KB,\n"
    "           MB, GB); K identifiers sampled from FILE are planted across it and listed in\n"
    "           OUT; nothing else in it is an identifier any watchlist can hold. OUT2\n"
    "           lists them again as IDENTIFIER<TAB>credential|exposure, the severity of\n"
    "           the record each went into.\n"
    "           --stats prints counts and speed to stderr.\n"
    "stealer    N infostealer victim folders (RedLine and Raccoon layouts, 3 to 5 small\n"
    "           files each) under DIR, which it creates; K planted identifiers, each the\n"
    "           login of a credential block in its own folder (OUT2: all credential).\n"
    "Same arguments, same bytes. Default seed: 1.\n";

int Usage(const char* problem) {
  if (problem != nullptr) std::fprintf(stderr, "leakwatch-gen: %s\n", problem);
  std::fputs(kUsage, stderr);
  return 2;
}

bool ParseUint(string_view s, u64* value) {
  if (s.empty()) return false;
  u64 v = 0;
  for (char c : s) {
    if (!IsDigit(c) || v > (~u64{0} - 9) / 10) return false;
    v = v * 10 + static_cast<u64>(c - '0');
  }
  *value = v;
  return true;
}

// "1073741824", "1GiB", "1G" (binary), "200MB" (decimal), "512k".
bool ParseSize(string_view s, u64* value) {
  std::size_t digits = 0;
  while (digits < s.size() && IsDigit(s[digits])) ++digits;
  u64 number;
  if (!ParseUint(s.substr(0, digits), &number)) return false;
  std::string unit(s.substr(digits));
  for (char& c : unit) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  static constexpr struct {
    string_view name;
    u64 factor;
  } kUnits[] = {{"", 1},           {"B", 1},           {"K", u64{1} << 10}, {"KIB", u64{1} << 10},
                {"KB", 1000},      {"M", u64{1} << 20}, {"MIB", u64{1} << 20}, {"MB", 1000000},
                {"G", u64{1} << 30}, {"GIB", u64{1} << 30}, {"GB", 1000000000},
                {"T", u64{1} << 40}, {"TIB", u64{1} << 40}, {"TB", 1000000000000}};
  for (const auto& u : kUnits) {
    if (unit == u.name) {
      if (number > ~u64{0} / u.factor) return false;
      *value = number * u.factor;
      return true;
    }
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage(nullptr);
  const string_view command = argv[1];
  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command != "watchlist" && command != "corpus" && command != "stealer") return Usage("unknown command");

  WatchlistOptions wl;
  CorpusOptions co;
  StealerOptions so;
  bool have_count = false, have_size = false, have_watchlist = false, have_planted = false;
  for (int i = 2; i < argc; ++i) {
    string_view flag = argv[i];
    std::string value;
    if (flag == "--stats" && command == "corpus") {
      co.stats = true;
      continue;
    }
    if (std::size_t eq = flag.find('='); flag.starts_with("--") && eq != string_view::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      std::string msg = "missing value for " + std::string(flag);
      return Usage(msg.c_str());
    }
    u64 n = 0;
    bool ok = true;
    if (flag == "--seed") {
      ok = ParseUint(value, &n);
      wl.seed = co.seed = so.seed = n;
    } else if (command == "watchlist" && flag == "--count") {
      ok = have_count = ParseUint(value, &wl.count);
    } else if (command == "watchlist" && flag == "--phones-percent") {
      ok = ParseUint(value, &n) && n <= 100;
      wl.phones_percent = static_cast<u32>(n);
    } else if (command == "corpus" && flag == "--size") {
      ok = have_size = ParseSize(value, &co.size);
    } else if (command == "stealer" && flag == "--dir") {
      so.dir = value;
    } else if (command == "stealer" && flag == "--folders") {
      ok = ParseUint(value, &so.folders);
    } else if (command != "watchlist" && flag == "--watchlist") {
      co.watchlist = so.watchlist = value;
      have_watchlist = true;
    } else if (command != "watchlist" && flag == "--plant") {
      ok = ParseUint(value, &co.plant);
      so.plant = co.plant;
    } else if (command != "watchlist" && flag == "--planted") {
      co.planted_out = so.planted_out = value;
      have_planted = true;
    } else if (command != "watchlist" && flag == "--planted-severity") {
      co.severity_out = so.severity_out = value;
    } else {
      std::string msg = "unknown option " + std::string(flag);
      return Usage(msg.c_str());
    }
    if (!ok) {
      std::string msg = "bad value for " + std::string(flag) + ": " + value;
      return Usage(msg.c_str());
    }
  }
  if (command == "watchlist") {
    if (!have_count) return Usage("watchlist needs --count");
    return GenerateWatchlist(wl);
  }
  if (co.plant > 0 && (!have_watchlist || !have_planted))
    return Usage("--plant needs --watchlist FILE and --planted OUT");
  if (command == "stealer") {
    if (so.dir.empty() || so.folders == 0) return Usage("stealer needs --dir DIR and --folders N");
    return GenerateStealer(so);
  }
  if (!have_size) return Usage("corpus needs --size");
  return GenerateCorpus(co);
}
