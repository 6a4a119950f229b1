//! Fictional but plausible names: people, schools and enterprises of a Guangzhou-like city.

use super::rng::Rng;

const SURNAMES: &[&str] = &[
    "陈", "李", "黄", "张", "梁", "林", "刘", "吴", "罗", "何", "郑", "王", "周", "谢", "邓", "冯", "曾", "彭", "许",
    "苏", "叶", "蔡", "朱", "潘", "杨", "赖", "卢", "钟", "郭", "余", "胡", "邱", "江", "莫", "伍", "谭", "方", "汤",
    "温", "黎", "邝", "区", "麦", "关", "简", "欧阳", "司徒", "马", "徐", "孙",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平",
    "刚", "桂", "英", "华", "嘉", "欣", "俊", "浩", "宇", "泽", "晨", "子", "梓", "轩", "怡", "诗", "雨", "佳", "思",
    "文", "博", "锦", "荣", "颖", "琳", "彤", "铭", "烨", "晓", "海", "珊", "展", "鹏", "婷", "凯", "昊", "淇", "蕾",
    "岚", "峰", "健",
];

// The explicit `*` tells the generic `pick` that T is &str; without it inference fails.
#[allow(clippy::explicit_auto_deref)]
pub fn person(rng: &mut Rng) -> String {
    let mut s = rng.pick(SURNAMES).to_string();
    s.push_str(*rng.pick(GIVEN));
    if rng.chance(0.7) {
        s.push_str(*rng.pick(GIVEN));
    }
    s
}

/// Proper names for schools: none is a real Guangzhou school's.
pub const SCHOOL_WORDS: &[&str] = &[
    "穗华",
    "岭秀",
    "珠岸",
    "云麓",
    "穗康",
    "锦城",
    "羊石",
    "榕荫",
    "荔苑",
    "海晖",
    "南粤",
    "新洲",
    "花城",
    "越秀新",
    "泮塘",
    "流花",
    "东湖",
    "沙湾",
    "凤岭",
    "莲峰",
    "棠溪",
    "湖滨",
    "石岗",
    "金沙",
    "鹤洞",
    "瑞宝",
    "钟村",
    "麓湖",
    "萝峰",
    "翠亨",
    "振华",
    "启航",
    "明德",
    "致远",
    "博雅",
    "弘毅",
    "崇德",
    "敏行",
    "嘉禾",
    "丰泽",
    "润泽",
    "云帆",
    "朝晖",
    "星海",
    "桂香",
    "悦湖",
    "青云",
    "文昌",
    "德润",
    "怀远",
];

pub const FIELDS: &[&str] = &[
    "交通运输",
    "信息技术",
    "财经商贸",
    "旅游商务",
    "轻工技术",
    "机电工程",
    "医药卫生",
    "建筑工程",
    "纺织服装",
    "现代服务",
    "城市建设",
    "汽车工程",
    "电子信息",
    "艺术设计",
    "智能制造",
    "物流",
    "幼儿师范",
    "烹饪",
    "商贸",
    "工业",
];

const FIRM_WORDS: &[&str] = &[
    "粤海", "穗通", "恒达", "宏图", "南方", "华南", "金穗", "新航", "智联", "卓越", "远景", "瑞丰", "广和", "联创",
    "鼎盛", "安信", "华泰", "明辉", "天成", "中科",
];
const FIRM_TRADES: &[&str] = &[
    "汽车零部件",
    "智能装备",
    "软件科技",
    "电子商务",
    "餐饮管理",
    "物流",
    "生物医药",
    "新能源科技",
    "轨道交通设备",
    "数字文化",
    "酒店管理",
    "电子科技",
    "精细化工",
    "建筑工程",
    "家政服务",
    "健康管理",
    "机器人",
    "信息技术",
    "供应链管理",
    "会展服务",
];

/// An enterprise name; 20 × 20 × 4 = 1,600 distinct names are possible.
pub fn enterprise(rng: &mut Rng) -> String {
    format!("广州{}{}{}有限公司", rng.pick(FIRM_WORDS), rng.pick(FIRM_TRADES), rng.pick(&["", "股份", "集团", "发展"]))
}
