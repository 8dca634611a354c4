//! Code lists of the DfE returns (FORMATS.md), and Hearth's own small code lists.
//! Each list serialises as its code (e.g. `"N1"`), so event payloads carry the codes the
//! CIN census and SSDA903 use, and an unknown code is refused when an event is read.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A code that is not on its list. Codes are not personal data, so the message names it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{code}' is not a {list} code")]
pub struct UnknownCode {
    pub list: &'static str,
    pub code: String,
}

macro_rules! code_list {
    ($(#[$meta:meta])* $name:ident, $list:literal { $($variant:ident = $code:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn from_code(code: &str) -> Result<Self, UnknownCode> {
                match code {
                    $($code => Ok($name::$variant),)+
                    _ => Err(UnknownCode { list: $list, code: code.to_owned() }),
                }
            }
        }

        /// The codes, each with its label in the description.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::Type::String)
                    .enum_values(Some([$($code),+]))
                    .description(Some([$(concat!($code, ": ", $label)),+].join("; ")))
                    .into()
            }
        }
        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let code = String::deserialize(d)?;
                $name::from_code(&code).map_err(serde::de::Error::custom)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }

        /// Offered on a form (`forms.rs`) as its codes with their labels.
        impl crate::forms::Coded for $name {
            const LIST: crate::forms::CodeList = crate::forms::CodeList {
                name: $list,
                options: &[$(($code, $label)),+],
            };
            fn code_of(self) -> &'static str {
                self.code()
            }
            fn of_code(code: &str) -> Option<Self> {
                $name::from_code(code).ok()
            }
        }

        impl crate::forms::Value for $name {
            const INPUT: crate::forms::Input = crate::forms::Input::Code(
                <$name as crate::forms::Coded>::LIST,
            );
            fn read(values: &[&str], field: &crate::forms::Field) -> Result<Self, String> {
                crate::forms::read_code(values, field)
            }
            fn write(&self, out: &mut Vec<String>) {
                out.push(self.code().to_owned());
            }
            fn sample() -> Self {
                $name::ALL[0]
            }
        }
    };
}

code_list!(
    /// CIN census `Sex` (2025 on) and SSDA903 `SEX` (2024-25 on).
    Sex, "sex" {
        Male = "M", "Male";
        Female = "F", "Female";
        Unknown = "U", "Unknown";
    }
);

code_list!(
    /// The 20 ethnicity codes shared by the CIN census and SSDA903.
    Ethnicity, "ethnicity" {
        Wbri = "WBRI", "White British";
        Wiri = "WIRI", "White Irish";
        Wirt = "WIRT", "Traveller of Irish heritage";
        Woth = "WOTH", "Any other White background";
        Wrom = "WROM", "Gypsy/Roma";
        Mwbc = "MWBC", "White and Black Caribbean";
        Mwba = "MWBA", "White and Black African";
        Mwas = "MWAS", "White and Asian";
        Moth = "MOTH", "Any other mixed background";
        Aind = "AIND", "Indian";
        Apkn = "APKN", "Pakistani";
        Aban = "ABAN", "Bangladeshi";
        Aoth = "AOTH", "Any other Asian background";
        Bcrb = "BCRB", "Caribbean";
        Bafr = "BAFR", "African";
        Both = "BOTH", "Any other Black background";
        Chne = "CHNE", "Chinese";
        Ooth = "OOTH", "Any other ethnic group";
        Refu = "REFU", "Refused";
        Nobt = "NOBT", "Information not yet obtained";
    }
);

code_list!(
    /// CIN census `Disability`.
    Disability, "disability" {
        None = "NONE", "No disability";
        Mob = "MOB", "Mobility";
        Hand = "HAND", "Hand function";
        Pc = "PC", "Personal care";
        Inc = "INC", "Incontinence";
        Comm = "COMM", "Communication";
        Ld = "LD", "Learning";
        Hear = "HEAR", "Hearing";
        Vis = "VIS", "Vision";
        Beh = "BEH", "Behaviour";
        Con = "CON", "Consciousness";
        Aut = "AUT", "Autism";
        Dda = "DDA", "Other disability";
    }
);

code_list!(
    /// CIN census `ReferralSource`; also used for the source of a contact.
    ReferralSource, "referral source" {
        IndividualFamily = "1A", "Individual: family member, relative or carer";
        IndividualAcquaintance = "1B", "Individual: acquaintance";
        IndividualSelf = "1C", "Individual: self";
        IndividualOther = "1D", "Individual: other";
        Schools = "2A", "Schools";
        EducationServices = "2B", "Education services";
        HealthGp = "3A", "Health: GP";
        HealthVisitor = "3B", "Health visitor";
        SchoolNurse = "3C", "School nurse";
        OtherPrimaryHealth = "3D", "Other primary health services";
        AccidentAndEmergency = "3E", "A&E";
        HealthOther = "3F", "Other health services";
        Housing = "4", "Housing";
        LaSocialCare = "5A", "LA services: social care";
        LaOtherInternal = "5B", "LA services: other internal";
        LaExternal = "5C", "LA services: external";
        LaEarlyHelp = "5D", "LA services: early help";
        Police = "6", "Police";
        OtherLegalAgency = "7", "Other legal agency";
        Other = "8", "Other";
        Anonymous = "9", "Anonymous";
        Unknown = "10", "Unknown";
    }
);

code_list!(
    /// CIN census `PrimaryNeedCode` (SSDA903 `CIN` uses N1..N8).
    PrimaryNeed, "primary need" {
        AbuseOrNeglect = "N1", "Abuse or neglect";
        ChildsDisability = "N2", "Child's disability";
        ParentalDisabilityOrIllness = "N3", "Parental disability or illness";
        FamilyInAcuteStress = "N4", "Family in acute stress";
        FamilyDysfunction = "N5", "Family dysfunction";
        SociallyUnacceptableBehaviour = "N6", "Socially unacceptable behaviour";
        LowIncome = "N7", "Low income";
        AbsentParenting = "N8", "Absent parenting";
        NotChildInNeed = "N9", "Cases other than children in need";
        NotStated = "N0", "Not stated";
    }
);

code_list!(
    /// CIN census `ReasonForClosure`.
    ReasonForClosure, "reason for closure" {
        Adopted = "RC1", "Adopted";
        Died = "RC2", "Died";
        ChildArrangementsOrder = "RC3", "Child arrangements order";
        SpecialGuardianshipOrder = "RC4", "Special guardianship order";
        TransferredToAnotherLa = "RC5", "Transferred to another local authority";
        TransferredToAdultServices = "RC6", "Transferred to adult social care";
        ServicesCeased = "RC7", "Services ceased for any other reason, including child no longer in need";
        NfaAfterAssessment = "RC8", "Case closed after assessment, no further action";
        EarlyHelpAfterAssessment = "RC9", "Case closed after assessment, referred to early help";
    }
);

code_list!(
    /// CIN census `InitialCategoryOfAbuse` / `LatestCategoryOfAbuse`.
    CategoryOfAbuse, "category of abuse" {
        Neglect = "NEG", "Neglect";
        Physical = "PHY", "Physical abuse";
        Sexual = "SAB", "Sexual abuse";
        Emotional = "EMO", "Emotional abuse";
        Multiple = "MUL", "Multiple/not recommended";
    }
);

code_list!(
    /// CIN census `AssessmentFactors`.
    AssessmentFactor, "assessment factor" {
        AlcoholChild = "1A", "Alcohol misuse: child";
        AlcoholParent = "1B", "Alcohol misuse: parent or carer";
        AlcoholOther = "1C", "Alcohol misuse: other person in household";
        DrugsChild = "2A", "Drug misuse: child";
        DrugsParent = "2B", "Drug misuse: parent or carer";
        DrugsOther = "2C", "Drug misuse: other person in household";
        DomesticAbuseChild = "3A", "Domestic abuse: child";
        DomesticAbuseParent = "3B", "Domestic abuse: parent or carer";
        DomesticAbuseOther = "3C", "Domestic abuse: other person in household";
        MentalHealthChild = "4A", "Mental health: child";
        MentalHealthParent = "4B", "Mental health: parent or carer";
        MentalHealthOther = "4C", "Mental health: other person in household";
        LearningDisabilityChild = "5A", "Learning disability: child";
        LearningDisabilityParent = "5B", "Learning disability: parent or carer";
        LearningDisabilityOther = "5C", "Learning disability: other person in household";
        PhysicalDisabilityChild = "6A", "Physical disability or illness: child";
        PhysicalDisabilityParent = "6B", "Physical disability or illness: parent or carer";
        PhysicalDisabilityOther = "6C", "Physical disability or illness: other person in household";
        YoungCarer = "7A", "Young carer";
        PrivatelyFosteredOverseasReturn = "8B", "Privately fostered: overseas, intending to return";
        PrivatelyFosteredOverseasStay = "8C", "Privately fostered: overseas, intending to stay";
        PrivatelyFosteredEducation = "8D", "Privately fostered: UK, educational placement";
        PrivatelyFosteredFamily = "8E", "Privately fostered: UK, alternative family arrangement";
        PrivatelyFosteredOther = "8F", "Privately fostered: other";
        Uasc = "9A", "Unaccompanied asylum-seeking child";
        Missing = "10A", "Going or being missing";
        SexualExploitation = "11A", "Child sexual exploitation";
        Trafficking = "12A", "Trafficking";
        Gangs = "13A", "Gangs";
        SociallyUnacceptableBehaviour = "14A", "Socially unacceptable behaviour";
        SelfHarm = "15A", "Self-harm";
        Neglect = "16A", "Neglect";
        EmotionalAbuse = "17A", "Emotional abuse";
        PhysicalAbuse = "18A", "Physical abuse";
        PhysicalAbuseChildOnChild = "18B", "Physical abuse: child on child";
        PhysicalAbuseAdultOnChild = "18C", "Physical abuse: adult on child";
        SexualAbuse = "19A", "Sexual abuse";
        SexualAbuseChildOnChild = "19B", "Sexual abuse: child on child";
        SexualAbuseAdultOnChild = "19C", "Sexual abuse: adult on child";
        Other = "20", "Other";
        NoFactors = "21", "No factors identified";
        Fgm = "22A", "Female genital mutilation";
        FaithOrBelief = "23A", "Abuse linked to faith or belief";
        CriminalExploitation = "24A", "Child criminal exploitation";
    }
);

code_list!(
    /// SSDA903 `LS`.
    LegalStatus, "legal status" {
        InterimCareOrder = "C1", "Interim care order";
        FullCareOrder = "C2", "Full care order";
        FreeingOrder = "D1", "Freeing order granted";
        PlacementOrder = "E1", "Placement order granted";
        Section20 = "V2", "Single period of accommodation under section 20";
        ShortBreaksEpisodes = "V3", "Agreed series of short-term breaks, episodes recorded";
        ShortBreaksAgreements = "V4", "Short-term breaks, agreements recorded";
        PoliceProtection = "L1", "Police protection in LA accommodation";
        EmergencyProtectionOrder = "L2", "Emergency protection order";
        ChildAssessmentOrder = "L3", "Child assessment order in LA accommodation";
        Remand = "J1", "Remanded to LA or youth detention accommodation";
        Pace = "J2", "LA accommodation under PACE 1984";
        YouthRehabilitationOrder = "J3", "Youth rehabilitation order with residence or intensive fostering requirement";
    }
);

code_list!(
    /// SSDA903 `PLACE`.
    PlacementType, "placement type" {
        AdoptionConsentCurrentCarer = "A3", "Placed for adoption with consent, with current foster carer";
        AdoptionConsentOther = "A4", "Placed for adoption with consent, not with current foster carer";
        AdoptionOrderCurrentCarer = "A5", "Placed for adoption with placement order, with current foster carer";
        AdoptionOrderOther = "A6", "Placed for adoption with placement order, not with current foster carer";
        SemiIndependent = "H5", "Semi-independent living";
        SecureChildrensHome = "K1", "Secure children's home";
        ChildrensHome = "K2", "Children's home";
        SupportedAccommodation = "K3", "Registered supported accommodation";
        WithParents = "P1", "Placed with parent(s) or person with parental responsibility";
        IndependentLiving = "P2", "Independent living";
        ResidentialEmployment = "P3", "Residential employment";
        ResidentialCareHome = "R1", "Residential care home";
        NhsEstablishment = "R2", "NHS or other medical or nursing establishment";
        FamilyCentre = "R3", "Family centre or mother and baby unit";
        YoungOffenderInstitution = "R5", "Young offender institution";
        ResidentialSchool = "S1", "Residential school";
        TemporaryMove = "T0", "Temporary move";
        TemporaryHospital = "T1", "Temporary: hospital";
        TemporaryChildHoliday = "T2", "Temporary: child's holiday";
        TemporaryCarerHoliday = "T3", "Temporary: carer's holiday";
        TemporaryOther = "T4", "Temporary, 7 days or less, other reason";
        FosterRelativeLongTerm = "U1", "Foster placement with relative or friend: long term";
        FosterRelativeFfa = "U2", "Foster placement with relative or friend: fostering for adoption or concurrent";
        FosterRelativeOther = "U3", "Foster placement with relative or friend: not long term or FFA";
        FosterLongTerm = "U4", "Foster placement with other carer: long term";
        FosterFfa = "U5", "Foster placement with other carer: fostering for adoption or concurrent";
        FosterOther = "U6", "Foster placement with other carer: not long term or FFA";
        Other = "Z1", "Other placement";
    }
);

impl PlacementType {
    /// A foster placement meant to last until the child is 18 (U1, U4): after its first
    /// year, visits may be three-monthly rather than six-weekly (Care Planning
    /// Regulations 2010, reg 28).
    pub fn is_long_term(self) -> bool {
        matches!(self, Self::FosterRelativeLongTerm | Self::FosterLongTerm)
    }

    /// Placed for adoption (A3–A6).
    pub fn is_adoptive(self) -> bool {
        matches!(
            self,
            Self::AdoptionConsentCurrentCarer
                | Self::AdoptionConsentOther
                | Self::AdoptionOrderCurrentCarer
                | Self::AdoptionOrderOther
        )
    }
}

code_list!(
    /// SSDA903 `PLACE_PROVIDER`.
    PlacementProvider, "placement provider" {
        Parents = "PR0", "Parent(s) or person with parental responsibility";
        OwnLa = "PR1", "Own LA provision";
        OtherLa = "PR2", "Other LA provision";
        OtherPublic = "PR3", "Other public provision";
        Private = "PR4", "Private provision";
        Voluntary = "PR5", "Voluntary or third sector provision";
    }
);

code_list!(
    /// SSDA903 `REC`: why a period of care (or an episode) ended.
    ReasonCeased, "reason ceased" {
        NewEpisode = "X1", "Episode ceases and new episode begins on the same day";
        AdoptedUnopposed = "E11", "Adopted: application unopposed";
        AdoptedConsentDispensed = "E12", "Adopted: consent dispensed with by the court";
        LivingWithOtherPerson = "E13", "Left care to live with parent(s), relative(s) or other person with no parental responsibility";
        RemandEnded = "E14", "Accommodation on remand ended";
        AgeAssessed18 = "E15", "Age assessment determined child is aged 18 or over";
        MovedAbroad = "E16", "Child moved abroad";
        StayingPut = "E17", "Aged 18 or over and remained with current carers";
        Died = "E2", "Died";
        OtherLaTookOver = "E3", "Care taken over by another LA in the UK";
        ChildArrangementsOrder = "E41", "Residence order or child arrangements order granted";
        SgoFosterRelative = "E45", "Special guardianship order to former foster carer(s) who are relatives or friends";
        SgoFosterOther = "E46", "Special guardianship order to former foster carer(s) who are not relatives or friends";
        SgoOtherRelative = "E47", "Special guardianship order to carer(s) other than former foster carers, relatives or friends";
        SgoOtherOther = "E48", "Special guardianship order to carer(s) other than former foster carers, not relatives or friends";
        ReturnedHomePlanned = "E4A", "Returned home to live with parents or relatives as part of the care plan";
        ReturnedHomeUnplanned = "E4B", "Returned home to live with parents or relatives, not as part of the care plan";
        IndependentSupported = "E5", "Moved to independent living with formal support";
        IndependentUnsupported = "E6", "Moved to independent living without formal support";
        AdultResidentialCare = "E7", "Transferred to residential care funded by adult social care";
        OtherReason = "E8", "Period of being looked after ceased for any other reason";
        Custody = "E9", "Sentenced to custody";
    }
);

impl ReasonCeased {
    pub fn is_adoption(self) -> bool {
        matches!(self, Self::AdoptedUnopposed | Self::AdoptedConsentDispensed)
    }
}

code_list!(
    /// SSDA903 `REASON_PLACE_CHANGE`.
    ReasonPlaceChange, "reason for placement change" {
        CarePlan = "CARPL", "Change to or implementation of care plan";
        ProvisionClosed = "CLOSE", "Resignation or closure of provision";
        Allegation = "ALLEG", "Allegation (s47)";
        StandardsOfCare = "STAND", "Standards of care concern";
        ApprovalRemoved = "APPRR", "Approval removed";
        CarerRequestBehaviour = "CREQB", "Carer requests placement end due to child's behaviour";
        CarerRequestOther = "CREQO", "Carer requests placement end, other reason";
        ChildRequest = "CHILD", "Child requests placement end";
        LaRequest = "LAREQ", "Responsible or area authority requests placement end";
        StatusChange = "PLACE", "Change in the status of the placement only";
        Custody = "CUSTOD", "Custody arrangement";
        Other = "OTHER", "Other";
    }
);

code_list!(
    /// SSDA903 `REVIEW_CODE`: how the child took part in a looked-after review.
    ReviewParticipation, "review participation" {
        Under4 = "PN0", "Child under 4";
        SpeaksForSelf = "PN1", "Attends and speaks for self";
        AdvocateSpeaks = "PN2", "Attends, an advocate speaks for the child";
        Symbolic = "PN3", "Attends and conveys views symbolically";
        NoContribution = "PN4", "Attends without contributing";
        BriefsAdvocate = "PN5", "Does not attend, briefs an advocate";
        FacilitativeMedium = "PN6", "Does not attend, conveys feelings by a facilitative medium";
        ViewsNotConveyed = "PN7", "Does not attend, views not conveyed";
    }
);

code_list!(
    /// SSDA903 `MISSING`.
    MissingKind, "missing kind" {
        Missing = "M", "Missing from placement";
        Absent = "A", "Away from placement without authorisation";
    }
);

code_list!(
    /// Annex A list 8 "What is the permanence plan for this child?".
    PermanencePlan, "permanence plan" {
        ReturnToFamily = "return_to_family", "Return to family";
        Adoption = "adoption", "Adoption";
        SgoOrCao = "sgo_or_cao", "Special guardianship or child arrangements order";
        SupportedLiving = "supported_living", "Supported living in the community";
        LongTermResidential = "long_term_residential", "Long-term residential placement";
        LongTermFostering = "long_term_fostering", "Long-term fostering";
        Other = "other", "Other";
    }
);

code_list!(
    /// SSDA903 placed-for-adoption `REASON_PLACED_CEASED`: why a child should no longer be
    /// placed for adoption.
    AdoptionReversalReason, "adoption reversal reason" {
        NeedsChanged = "RD1", "The child's needs changed";
        NoPlacementOrder = "RD2", "The court did not make a placement order";
        NoAdopters = "RD3", "Prospective adopters could not be found";
        Other = "RD4", "Any other reason";
    }
);

code_list!(
    /// SSDA903 OC3 `IN_TOUCH`.
    InTouch, "in touch" {
        Yes = "YES", "In touch";
        No = "NO", "Not in touch";
        Died = "DIED", "Died";
        Refused = "REFU", "Refuses contact";
        NoLongerRequired = "NREQ", "No longer requires services";
        ReturnedHome = "RHOM", "Returned home for 6 months or more";
    }
);

code_list!(
    /// SSDA903 OC3 `ACTIV`.
    Activity, "activity" {
        HigherEducationFull = "F1", "Full-time higher education";
        HigherEducationPart = "P1", "Part-time higher education";
        OtherEducationFull = "F2", "Full-time other education";
        OtherEducationPart = "P2", "Part-time other education";
        ApprenticeshipFull = "F4", "Full-time apprenticeship";
        ApprenticeshipPart = "P4", "Part-time apprenticeship";
        EmploymentFull = "F5", "Full-time training or employment";
        EmploymentPart = "P5", "Part-time training or employment";
        NeetIllness = "G4", "Not in education, employment or training: illness or disability";
        NeetOther = "G5", "Not in education, employment or training: other";
        NeetParenting = "G6", "Not in education, employment or training: pregnancy or parenting";
        NotInTouch = "0", "Not in touch, died or returned home";
    }
);

impl Activity {
    /// In education, employment or training.
    pub fn is_eet(self) -> bool {
        !matches!(
            self,
            Self::NeetIllness | Self::NeetOther | Self::NeetParenting | Self::NotInTouch
        )
    }
}

code_list!(
    /// SSDA903 OC3 `ACCOM`: accommodation type letter plus suitability digit (1 suitable, 2 not).
    Accommodation, "accommodation" {
        ParentsSuitable = "B1", "With parents or relatives (suitable)";
        ParentsUnsuitable = "B2", "With parents or relatives (not suitable)";
        ResidentialSuitable = "C1", "Community home or residential care (suitable)";
        ResidentialUnsuitable = "C2", "Community home or residential care (not suitable)";
        SemiIndependentSuitable = "D1", "Semi-independent, transitional accommodation (suitable)";
        SemiIndependentUnsuitable = "D2", "Semi-independent, transitional accommodation (not suitable)";
        SupportedLodgingsSuitable = "E1", "Supported lodgings (suitable)";
        SupportedLodgingsUnsuitable = "E2", "Supported lodgings (not suitable)";
        AbroadSuitable = "G1", "Gone abroad (suitable)";
        AbroadUnsuitable = "G2", "Gone abroad (not suitable)";
        DeportedSuitable = "H1", "Deported (suitable)";
        DeportedUnsuitable = "H2", "Deported (not suitable)";
        LodgingsSuitable = "K1", "Ordinary lodgings (suitable)";
        LodgingsUnsuitable = "K2", "Ordinary lodgings (not suitable)";
        NotKnownSuitable = "R1", "Residence not known (suitable)";
        NotKnownUnsuitable = "R2", "Residence not known (not suitable)";
        Homeless = "S2", "No fixed abode or homeless";
        FoyerSuitable = "T1", "Foyer (suitable)";
        FoyerUnsuitable = "T2", "Foyer (not suitable)";
        IndependentSuitable = "U1", "Independent living (suitable)";
        IndependentUnsuitable = "U2", "Independent living (not suitable)";
        EmergencySuitable = "V1", "Emergency accommodation (suitable)";
        EmergencyUnsuitable = "V2", "Emergency accommodation (not suitable)";
        BedAndBreakfastSuitable = "W1", "Bed and breakfast (suitable)";
        BedAndBreakfastUnsuitable = "W2", "Bed and breakfast (not suitable)";
        Custody = "X2", "In custody";
        OtherSuitable = "Y1", "Other accommodation (suitable)";
        OtherUnsuitable = "Y2", "Other accommodation (not suitable)";
        FormerFosterCarersSuitable = "Z1", "With former foster carers (suitable)";
        FormerFosterCarersUnsuitable = "Z2", "With former foster carers (not suitable)";
        NotInTouch = "0", "Not in touch, died or returned home";
    }
);

impl Accommodation {
    pub fn is_suitable(self) -> bool {
        self.code().ends_with('1')
    }
}

code_list!(
    /// SSDA903 OC2 `SDQ_REASON`: why a looked-after child has no strengths and difficulties
    /// questionnaire score.
    SdqReason, "SDQ reason" {
        OutsideAge = "SDQ1", "Child under 4 or over 16";
        CarerRefused = "SDQ2", "Carer refused";
        Disability = "SDQ3", "Not possible because of the child's disability";
        Other = "SDQ4", "Other";
        ChildRefused = "SDQ5", "Young person refused";
    }
);

code_list!(
    /// SSDA903 `PREV_PERM`: the permanence order a child had before this period of care.
    PreviousPermanence, "previous permanence" {
        Adoption = "P1", "Adoption";
        SpecialGuardianship = "P2", "Special guardianship order";
        ChildArrangements = "P3", "Residence order or child arrangements order";
        Unknown = "P4", "Not known";
        NoOrder = "Z1", "No previous permanence order";
    }
);

code_list!(
    /// SSDA903 AD1 `SEX_ADOPTR`: who the prospective adopters are.
    Adopters, "adopters" {
        SingleMale = "M1", "A single man";
        SingleFemale = "F1", "A single woman";
        MaleCouple = "MM", "A male couple";
        FemaleCouple = "FF", "A female couple";
        MixedCouple = "MF", "A man and a woman";
    }
);

// Hearth's own lists (no DfE code exists for these).

code_list!(
    /// What the front door decided to do with a contact.
    ContactOutcome, "contact outcome" {
        NoFurtherAction = "nfa", "No further action";
        InformationAndAdvice = "advice", "Information and advice";
        EarlyHelp = "early_help", "Early help";
        Referral = "referral", "Referral to children's social care";
        Universal = "universal", "Universal services";
        StrategyDiscussion = "strategy_discussion", "Strategy discussion";
        ImmediateProtection = "immediate_protection", "Immediate protection";
    }
);

code_list!(
    /// Whether the family agreed to the contact being made (Working Together 2023: a
    /// referral without consent needs a reason).
    Consent, "consent" {
        Given = "given", "Given";
        Refused = "refused", "Refused";
        NotSoughtRisk = "not_sought_risk", "Not sought: it would put the child at risk";
        NotKnown = "not_known", "Not known";
    }
);

code_list!(
    /// How soon the person making a contact says the child needs a response.
    Urgency, "urgency" {
        Immediate = "immediate", "Immediate";
        SameDay = "same_day", "Same day";
        Routine = "routine", "Routine";
    }
);

code_list!(
    /// Who a person named in a contact is.
    GivenRole, "person role" {
        Child = "child", "Child";
        Unborn = "unborn", "Unborn child";
        Adult = "adult", "Adult";
    }
);

code_list!(
    /// The way a contact came in.
    Channel, "channel" {
        Form = "form", "Online form";
        Api = "api", "Partner system";
        Import = "import", "File import";
    }
);

code_list!(
    /// Why a decided contact went to the team it went to.
    RouteReason, "route reason" {
        ExistingWorker = "existing_worker", "The family already has a worker";
        Locality = "locality", "The family's locality";
        OutOfArea = "out_of_area", "Out of area";
        NoAddress = "no_address", "No address known";
    }
);

code_list!(
    /// MASH partner-check urgency: red 4 hours, amber 24 hours, green 72 hours (common local practice).
    Rag, "RAG rating" {
        Red = "red", "Red";
        Amber = "amber", "Amber";
        Green = "green", "Green";
    }
);

code_list!(
    /// The agencies a MASH asks for checks.
    Agency, "agency" {
        Police = "police", "Police";
        Health = "health", "Health";
        Education = "education", "Education";
        Probation = "probation", "Probation";
        Housing = "housing", "Housing";
        AdultServices = "adult_services", "Adult social care";
    }
);

code_list!(
    /// How a person is related to another in a family.
    RelationshipKind, "relationship" {
        Parent = "parent", "Parent";
        Carer = "carer", "Carer";
        Sibling = "sibling", "Sibling";
        HouseholdMember = "household_member", "Household member";
    }
);

code_list!(
    /// Meetings recorded with `meeting_held`.
    MeetingKind, "meeting" {
        TeamAroundTheFamily = "taf", "Team around the family meeting";
        CinReview = "cin_review", "Child in need review meeting";
        Professionals = "professionals", "Professionals meeting";
        FamilyGroupConference = "fgc", "Family group conference";
        PlacementPlanning = "placement_planning", "Placement planning meeting";
    }
);

code_list!(
    /// What kind of contact with the child or family a case note records.
    NoteContact, "note contact" {
        Visit = "visit", "Visit";
        PhoneCall = "phone_call", "Phone call";
        Meeting = "meeting", "Meeting";
        Observation = "observation", "Observation";
        DirectWork = "direct_work", "Direct work with the child";
        Other = "other", "Other";
    }
);

code_list!(
    /// Why early help ended.
    EarlyHelpEndReason, "early help end reason" {
        NeedsMet = "needs_met", "Needs met";
        SteppedUp = "stepped_up", "Stepped up to children's social care";
        Declined = "declined", "Family declined or disengaged";
        Moved = "moved", "Family moved away";
        Other = "other", "Other";
    }
);

code_list!(
    /// Who completed an early help assessment (Annex A list 2 "Organisation completing
    /// assessment", free text there).
    AssessingOrganisation, "assessing organisation" {
        LocalAuthority = "local_authority", "The council's early help service";
        FamilyHub = "family_hub", "Family hub or children's centre";
        School = "school", "School or college";
        Health = "health", "Health visitor or other health service";
        Voluntary = "voluntary", "Voluntary or community organisation";
        Other = "other", "Another organisation";
    }
);

code_list!(
    /// How a plan is going, as a review or core group judges it.
    PlanProgress, "plan progress" {
        Good = "good", "Good progress";
        Partial = "some", "Some progress";
        NoProgress = "none", "No progress";
        Worse = "worse", "Things have got worse";
    }
);

code_list!(
    /// Why a child in need plan ended.
    CinPlanEndReason, "CIN plan end reason" {
        NeedsMet = "needs_met", "Needs met";
        SteppedDown = "stepped_down", "Stepped down to early help";
        Protection = "protection", "A child protection plan started";
        LookedAfter = "looked_after", "The child became looked after";
        Moved = "moved", "The family moved away";
        Other = "other", "Other";
    }
);

code_list!(
    /// How a professional was in contact with a child.
    ContactMethod, "contact method" {
        InPerson = "in_person", "In person";
        Video = "video", "Video call";
        Phone = "phone", "Phone call";
        Written = "written", "Letter, message or email";
    }
);

code_list!(
    /// Which health assessment a looked-after child had (Care Planning Regulations 2010
    /// reg 7: an initial one, then reviews).
    HealthAssessmentKind, "health assessment" {
        Initial = "initial", "Initial health assessment";
        Review = "review", "Review health assessment";
    }
);

code_list!(
    /// A care leaver's eligibility category (Annex A list 9).
    CareLeaverEligibility, "care leaver eligibility" {
        Relevant = "relevant", "Relevant child";
        FormerRelevant = "former_relevant", "Former relevant child";
        Qualifying = "qualifying", "Qualifying care leaver";
        Eligible = "eligible", "Eligible child";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_json() {
        for &ls in LegalStatus::ALL {
            let json = serde_json::to_string(&ls).unwrap();
            assert_eq!(json, format!("\"{}\"", ls.code()));
            assert_eq!(serde_json::from_str::<LegalStatus>(&json).unwrap(), ls);
        }
        assert_eq!(PlacementType::ALL.len(), 28);
        assert_eq!(Ethnicity::ALL.len(), 20);
        assert_eq!(
            ReferralSource::from_code("6").unwrap(),
            ReferralSource::Police
        );
    }

    #[test]
    fn the_front_door_lists_read_and_write_their_codes() {
        fn round_trip<T>(all: &[T], code: fn(T) -> &'static str)
        where
            T: Copy + PartialEq + std::fmt::Debug + Serialize + for<'de> Deserialize<'de>,
        {
            for &item in all {
                let json = serde_json::to_string(&item).unwrap();
                assert_eq!(json, format!("\"{}\"", code(item)));
                assert_eq!(serde_json::from_str::<T>(&json).unwrap(), item);
            }
        }
        round_trip(ContactOutcome::ALL, ContactOutcome::code);
        round_trip(Consent::ALL, Consent::code);
        round_trip(Urgency::ALL, Urgency::code);
        round_trip(GivenRole::ALL, GivenRole::code);
        round_trip(Channel::ALL, Channel::code);
        round_trip(RouteReason::ALL, RouteReason::code);
        let codes = |all: &[ContactOutcome]| all.iter().map(|o| o.code()).collect::<Vec<_>>();
        assert_eq!(
            codes(ContactOutcome::ALL),
            [
                "nfa",
                "advice",
                "early_help",
                "referral",
                "universal",
                "strategy_discussion",
                "immediate_protection"
            ]
        );
        assert_eq!(ContactOutcome::Universal.label(), "Universal services");
        assert_eq!(
            Consent::NotSoughtRisk.label(),
            "Not sought: it would put the child at risk"
        );
        assert_eq!(
            Urgency::ALL.iter().map(|u| u.code()).collect::<Vec<_>>(),
            ["immediate", "same_day", "routine"]
        );
        assert_eq!(
            RouteReason::ALL
                .iter()
                .map(|r| r.code())
                .collect::<Vec<_>>(),
            ["existing_worker", "locality", "out_of_area", "no_address"]
        );
        assert_eq!(
            serde_json::from_str::<Channel>("\"fax\"")
                .unwrap_err()
                .to_string(),
            "'fax' is not a channel code"
        );
    }

    #[test]
    fn unknown_code_is_named() {
        let err = serde_json::from_str::<CategoryOfAbuse>("\"XXX\"").unwrap_err();
        assert!(
            err.to_string()
                .contains("'XXX' is not a category of abuse code")
        );
    }

    #[test]
    fn suitability_and_eet() {
        assert!(Accommodation::IndependentSuitable.is_suitable());
        assert!(!Accommodation::Homeless.is_suitable());
        assert!(Activity::ApprenticeshipFull.is_eet());
        assert!(!Activity::NeetOther.is_eet());
    }
}
