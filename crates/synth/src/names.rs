//! Names that fit the ethnicity a person is recorded with, so a synthetic caseload
//! reads like a real English one. Short lists of common names; nobody real is meant.

use crate::random::Rand;
use hearth_domain::codes::{Ethnicity, Sex};

/// Naming traditions, coarser than the 20 ethnicity codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameGroup {
    British,
    Irish,
    EasternEuropean,
    SouthAsianIndian,
    SouthAsianMuslim,
    OtherAsian,
    African,
    Caribbean,
    Chinese,
    MiddleEastern,
}

impl NameGroup {
    /// The naming tradition for a recorded ethnicity; mixed heritage picks one of its
    /// two traditions (the surname usually follows the British side).
    pub(crate) fn for_ethnicity(e: Ethnicity, rng: &mut Rand) -> NameGroup {
        use Ethnicity as E;
        match e {
            E::Wbri | E::Refu | E::Nobt | E::Moth => NameGroup::British,
            E::Wiri | E::Wirt => NameGroup::Irish,
            E::Woth | E::Wrom => NameGroup::EasternEuropean,
            E::Mwbc | E::Bcrb => {
                if e == E::Mwbc && rng.chance(0.5) {
                    NameGroup::British
                } else {
                    NameGroup::Caribbean
                }
            }
            E::Mwba => {
                if rng.chance(0.5) {
                    NameGroup::British
                } else {
                    NameGroup::African
                }
            }
            E::Mwas => {
                if rng.chance(0.6) {
                    NameGroup::British
                } else {
                    NameGroup::SouthAsianIndian
                }
            }
            E::Aind => NameGroup::SouthAsianIndian,
            E::Apkn | E::Aban => NameGroup::SouthAsianMuslim,
            E::Aoth => NameGroup::OtherAsian,
            E::Bafr | E::Both => NameGroup::African,
            E::Chne => NameGroup::Chinese,
            E::Ooth => NameGroup::MiddleEastern,
        }
    }

    fn lists(
        self,
    ) -> (
        &'static [&'static str],
        &'static [&'static str],
        &'static [&'static str],
    ) {
        match self {
            NameGroup::British => (BRITISH_BOYS, BRITISH_GIRLS, BRITISH_SURNAMES),
            NameGroup::Irish => (IRISH_BOYS, IRISH_GIRLS, IRISH_SURNAMES),
            NameGroup::EasternEuropean => (EE_BOYS, EE_GIRLS, EE_SURNAMES),
            NameGroup::SouthAsianIndian => (INDIAN_BOYS, INDIAN_GIRLS, INDIAN_SURNAMES),
            NameGroup::SouthAsianMuslim => (MUSLIM_BOYS, MUSLIM_GIRLS, MUSLIM_SURNAMES),
            NameGroup::OtherAsian => (OTHER_ASIAN_BOYS, OTHER_ASIAN_GIRLS, OTHER_ASIAN_SURNAMES),
            NameGroup::African => (AFRICAN_BOYS, AFRICAN_GIRLS, AFRICAN_SURNAMES),
            NameGroup::Caribbean => (CARIBBEAN_BOYS, CARIBBEAN_GIRLS, BRITISH_SURNAMES),
            NameGroup::Chinese => (CHINESE_BOYS, CHINESE_GIRLS, CHINESE_SURNAMES),
            NameGroup::MiddleEastern => (ME_BOYS, ME_GIRLS, ME_SURNAMES),
        }
    }

    pub(crate) fn given(self, sex: Sex, rng: &mut Rand) -> String {
        let (boys, girls, _) = self.lists();
        let list = match sex {
            Sex::Male => boys,
            Sex::Female => girls,
            Sex::Unknown => {
                if rng.chance(0.5) {
                    boys
                } else {
                    girls
                }
            }
        };
        rng.pick(list).copied().unwrap_or("Alex").to_owned()
    }

    pub(crate) fn surname(self, rng: &mut Rand) -> String {
        let (_, _, surnames) = self.lists();
        rng.pick(surnames).copied().unwrap_or("Smith").to_owned()
    }
}

pub(crate) const STREETS: &[&str] = &[
    "Church Road",
    "Station Road",
    "High Street",
    "Victoria Road",
    "Park Avenue",
    "Queens Road",
    "London Road",
    "Mill Lane",
    "The Crescent",
    "Kings Avenue",
    "Manor Way",
    "Orchard Close",
    "Green Lane",
    "Chestnut Drive",
    "Oak Tree Road",
    "Hawthorn Close",
    "Meadow View",
    "School Lane",
    "Albert Street",
    "Windsor Road",
    "York Road",
    "Grange Road",
    "Elm Grove",
    "Willow Walk",
    "St John's Road",
    "Brook Street",
    "Castle Hill",
    "Hillside",
    "Beech Avenue",
    "Springfield Road",
];

const BRITISH_BOYS: &[&str] = &[
    "Oliver",
    "Harry",
    "Jack",
    "George",
    "Noah",
    "Charlie",
    "Jacob",
    "Alfie",
    "Freddie",
    "Oscar",
    "Leo",
    "Archie",
    "Thomas",
    "Joshua",
    "James",
    "William",
    "Henry",
    "Ethan",
    "Riley",
    "Mason",
    "Logan",
    "Lucas",
    "Tyler",
    "Kai",
    "Reece",
    "Callum",
    "Connor",
    "Jayden",
    "Liam",
    "Daniel",
    "Samuel",
    "Max",
    "Tommy",
    "Theo",
    "Alexander",
    "Harley",
    "Dylan",
    "Lewis",
    "Ryan",
    "Kyle",
    "Bradley",
    "Jordan",
    "Ben",
    "Luke",
    "Aaron",
];
const BRITISH_GIRLS: &[&str] = &[
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Emily",
    "Sophia",
    "Grace",
    "Mia",
    "Poppy",
    "Ella",
    "Lily",
    "Evie",
    "Isabella",
    "Jessica",
    "Ruby",
    "Chloe",
    "Freya",
    "Daisy",
    "Phoebe",
    "Millie",
    "Sophie",
    "Holly",
    "Lacey",
    "Megan",
    "Charlotte",
    "Ellie",
    "Amber",
    "Scarlett",
    "Courtney",
    "Paige",
    "Leah",
    "Hannah",
    "Lauren",
    "Katie",
    "Rosie",
    "Maisie",
    "Summer",
    "Willow",
    "Erin",
    "Abigail",
    "Bethany",
    "Kayleigh",
    "Jade",
    "Chelsea",
    "Sienna",
];
pub(crate) const BRITISH_SURNAMES: &[&str] = &[
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood",
    "Jackson", "Clarke", "Harris", "Lewis", "Hughes", "Turner", "Hill", "Edwards", "Cooper",
    "Ward", "Moore", "King", "Baker", "Harrison", "Morris", "Clark", "Lee", "Allen", "Scott",
    "Carter", "Mitchell", "Parker", "Shaw", "Bennett", "Cook", "Bailey", "Collins", "Marsh",
    "Fletcher", "Payne", "Holmes", "Knight", "Pearce", "Mills", "Barker", "Cole", "Dunn", "Hunt",
    "Fox", "Webb", "Chapman", "Stevens", "Ellis", "Price", "Lloyd", "Russell",
];
const IRISH_BOYS: &[&str] = &[
    "Sean", "Patrick", "Conor", "Cian", "Michael", "John", "Tommy", "Martin", "Darragh", "Finn",
    "Oisin", "Jimmy", "Johnny", "Francis",
];
const IRISH_GIRLS: &[&str] = &[
    "Siobhan", "Aoife", "Niamh", "Bridget", "Mary", "Kathleen", "Roisin", "Ciara", "Margaret",
    "Shannon", "Caitlin", "Nora", "Josie",
];
const IRISH_SURNAMES: &[&str] = &[
    "Murphy",
    "Kelly",
    "O'Brien",
    "Ryan",
    "Walsh",
    "Byrne",
    "O'Connor",
    "McCarthy",
    "Doherty",
    "Quinn",
    "Ward",
    "McDonagh",
    "Connors",
    "Maughan",
    "Doyle",
    "Gallagher",
];
const EE_BOYS: &[&str] = &[
    "Jakub", "Kacper", "Szymon", "Filip", "Mateusz", "Dawid", "Andrei", "Mihai", "Darius", "Lukas",
    "Tomas", "Adam", "Oliwer", "Nikola", "Marek", "Ionut",
];
const EE_GIRLS: &[&str] = &[
    "Zuzanna", "Julia", "Maja", "Natalia", "Oliwia", "Alicja", "Ioana", "Maria", "Elena",
    "Gabriela", "Viktoria", "Anna", "Amelia", "Wiktoria", "Andreea", "Karolina",
];
const EE_SURNAMES: &[&str] = &[
    "Nowak",
    "Kowalski",
    "Wisniewski",
    "Wojcik",
    "Kaminski",
    "Lewandowski",
    "Popescu",
    "Ionescu",
    "Kazlauskas",
    "Petrov",
    "Dumitru",
    "Novak",
    "Horvat",
    "Zielinski",
    "Stan",
    "Balogh",
    "Szabo",
];
const INDIAN_BOYS: &[&str] = &[
    "Arjun", "Aarav", "Rohan", "Dev", "Harjit", "Gurpreet", "Manpreet", "Vikram", "Rahul",
    "Nikhil", "Jaspreet", "Kiran", "Sanjay", "Ravi", "Amar", "Ishaan",
];
const INDIAN_GIRLS: &[&str] = &[
    "Priya", "Anjali", "Simran", "Navneet", "Harleen", "Riya", "Kavya", "Asha", "Meera", "Jasleen",
    "Pooja", "Anika", "Divya", "Sonia", "Neha", "Tara",
];
const INDIAN_SURNAMES: &[&str] = &[
    "Patel", "Singh", "Kaur", "Sharma", "Gill", "Sandhu", "Mistry", "Shah", "Kumar", "Sidhu",
    "Dhillon", "Chauhan", "Parmar", "Bains", "Mehta", "Johal",
];
const MUSLIM_BOYS: &[&str] = &[
    "Muhammad", "Ali", "Ibrahim", "Yusuf", "Omar", "Hamza", "Zain", "Ayaan", "Bilal", "Imran",
    "Rehan", "Abdullah", "Haris", "Tariq", "Adnan", "Rayyan",
];
const MUSLIM_GIRLS: &[&str] = &[
    "Aisha", "Fatima", "Maryam", "Zara", "Hafsa", "Amina", "Khadija", "Safa", "Inaya", "Sana",
    "Noor", "Hania", "Ayesha", "Samira", "Rukhsana", "Nadia",
];
const MUSLIM_SURNAMES: &[&str] = &[
    "Khan", "Hussain", "Ahmed", "Ali", "Akhtar", "Iqbal", "Begum", "Rahman", "Mahmood", "Bibi",
    "Rashid", "Malik", "Uddin", "Islam", "Miah", "Hassan",
];
const OTHER_ASIAN_BOYS: &[&str] = &[
    "Ahmad", "Mohammad", "Farid", "Rahim", "Karim", "Sami", "Nabil", "Arun", "Suresh", "Prakash",
    "Bishal", "Tenzin",
];
const OTHER_ASIAN_GIRLS: &[&str] = &[
    "Parwana", "Maryam", "Shabnam", "Nargis", "Farzana", "Nilufar", "Lakshmi", "Dilani", "Sita",
    "Anisha", "Pema",
];
const OTHER_ASIAN_SURNAMES: &[&str] = &[
    "Ahmadi",
    "Rahimi",
    "Karimi",
    "Hakimi",
    "Sultani",
    "Perera",
    "Fernando",
    "Gurung",
    "Tamang",
    "Rai",
    "Silva",
    "Stanekzai",
];
const AFRICAN_BOYS: &[&str] = &[
    "David", "Emmanuel", "Samuel", "Daniel", "Joshua", "Tobi", "Chidi", "Kwame", "Kofi", "Abdi",
    "Mohamed", "Tariku", "Tesfaye", "Yonas", "Femi", "Olu",
];
const AFRICAN_GIRLS: &[&str] = &[
    "Blessing", "Grace", "Precious", "Favour", "Chioma", "Amara", "Adaeze", "Esther", "Ruth",
    "Hodan", "Hibo", "Selam", "Helen", "Abena", "Ama", "Tolu",
];
const AFRICAN_SURNAMES: &[&str] = &[
    "Okafor",
    "Adeyemi",
    "Mensah",
    "Boateng",
    "Osei",
    "Okonkwo",
    "Adebayo",
    "Abdullahi",
    "Mohamed",
    "Hassan",
    "Tesfay",
    "Haile",
    "Mwangi",
    "Banda",
    "Ogunleye",
    "Nwosu",
];
const CARIBBEAN_BOYS: &[&str] = &[
    "Jermaine", "Marcus", "Tyrone", "Andre", "Leon", "Kieran", "Jamal", "Darnell", "Malachi",
    "Isaiah", "Elijah", "Reuben",
];
const CARIBBEAN_GIRLS: &[&str] = &[
    "Shanice",
    "Tanisha",
    "Keisha",
    "Aaliyah",
    "Naomi",
    "Jasmine",
    "Shantelle",
    "Kiara",
    "Tiana",
    "Nia",
    "Imani",
];
const CHINESE_BOYS: &[&str] = &["Wei", "Jun", "Hao", "Ming", "Kai", "Jian", "Yu", "Chen"];
const CHINESE_GIRLS: &[&str] = &["Mei", "Xin", "Ling", "Yan", "Hui", "Jing", "Li", "Ying"];
const CHINESE_SURNAMES: &[&str] = &[
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Wong", "Lam", "Cheung",
];
const ME_BOYS: &[&str] = &[
    "Ahmed", "Mustafa", "Yousef", "Karwan", "Hussein", "Rami", "Khalid", "Omar", "Hadi", "Dilan",
    "Hamid", "Reza",
];
const ME_GIRLS: &[&str] = &[
    "Layla", "Hiba", "Rania", "Shilan", "Dalia", "Noor", "Sara", "Yasmin", "Rojin", "Lina",
    "Mariam", "Zahra",
];
const ME_SURNAMES: &[&str] = &[
    "Abdullah",
    "Hamad",
    "Rasul",
    "Aziz",
    "Ibrahim",
    "Mohammadi",
    "Jaf",
    "Saleh",
    "Karim",
    "Haddad",
    "Hosseini",
    "Barzani",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ethnicity_gets_names() {
        let mut rng = Rand::seeded(3);
        for &e in Ethnicity::ALL {
            let g = NameGroup::for_ethnicity(e, &mut rng);
            assert!(!g.given(Sex::Female, &mut rng).is_empty());
            assert!(!g.given(Sex::Male, &mut rng).is_empty());
            assert!(!g.surname(&mut rng).is_empty());
        }
    }
}
