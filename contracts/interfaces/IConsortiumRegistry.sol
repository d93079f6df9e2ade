// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/**
 * @title Consortium registry interface
 * @notice Members and roles of a research consortium: governors admit and remove
 * institutions by k-of-n approval, institutions accredit their researchers until a
 * given time, and governors appoint custodian gateways and auditors.
 * @dev Institutions and researchers are identified by account addresses only.
 * Nothing that names a person is stored.
 */
interface IConsortiumRegistry {
    /// @notice The governance action that a governor approves.
    enum GovernanceAction {
        Admit,
        Remove
    }

    /// @notice Thrown when the constructor gets an approval threshold outside 1..governors.
    error ConsortiumRegistryInvalidThreshold(uint256 threshold, uint256 governorCount);

    /// @notice Thrown when an address argument is the zero address.
    error ConsortiumRegistryZeroAddress();

    /// @notice Thrown when a governor approves the same action twice.
    error ConsortiumRegistryAlreadyApproved(address governor, address institution, GovernanceAction action);

    /// @notice Thrown when admitting an institution that is already a member.
    error ConsortiumRegistryInstitutionAlreadyActive(address institution);

    /// @notice Thrown when acting for, or removing, an institution that is not a member.
    error ConsortiumRegistryInstitutionNotActive(address institution);

    /// @notice Thrown when an accreditation expiry is not in the future.
    error ConsortiumRegistryAccreditationExpired(address researcher, uint64 accreditedUntil);

    /// @notice Thrown when a researcher still accredited by one institution is accredited by another.
    error ConsortiumRegistryResearcherBoundElsewhere(address researcher, address institution);

    /// @notice Thrown when revoking the accreditation of a researcher the caller may not manage.
    error ConsortiumRegistryNotResearcherInstitution(address researcher, address caller);

    /**
     * @notice Emitted for every governor approval, including the one that reaches the threshold.
     * @param institution The institution account the action concerns.
     * @param governor The approving governor.
     * @param action Admit or Remove.
     * @param approvals Approvals counted so far for this action.
     */
    event InstitutionActionApproved(
        address indexed institution, address indexed governor, GovernanceAction action, uint256 approvals
    );

    /// @notice Emitted when an institution reaches the approval threshold and becomes a member.
    event InstitutionAdmitted(address indexed institution);

    /// @notice Emitted when an institution is removed; its researchers lose accreditation with it.
    event InstitutionRemoved(address indexed institution);

    /**
     * @notice Emitted when an institution accredits a researcher.
     * @param accreditedUntil Unix time in seconds after which the accreditation lapses.
     */
    event ResearcherAccredited(address indexed researcher, address indexed institution, uint64 accreditedUntil);

    /// @notice Emitted when a researcher's accreditation is revoked before it lapsed.
    event ResearcherAccreditationRevoked(address indexed researcher, address indexed institution, address revokedBy);

    /**
     * @notice Records the caller's approval to admit `institution`; it is admitted once
     * `approvalThreshold` governors have approved.
     * @dev Requirements: caller holds GOVERNOR_ROLE and has not approved this admission yet.
     * Emits {InstitutionActionApproved}, and {InstitutionAdmitted} at the threshold.
     */
    function approveInstitutionAdmission(address institution) external;

    /**
     * @notice Records the caller's approval to remove `institution`; it is removed once
     * `approvalThreshold` governors have approved.
     * @dev Requirements: caller holds GOVERNOR_ROLE and `institution` is a member.
     * Emits {InstitutionActionApproved}, and {InstitutionRemoved} at the threshold.
     */
    function approveInstitutionRemoval(address institution) external;

    /**
     * @notice Accredits `researcher` for the calling institution until `accreditedUntil`.
     * @dev Calling again extends or shortens the accreditation. Emits {ResearcherAccredited}.
     * @param accreditedUntil Unix time in seconds; must be later than the current block.
     */
    function accreditResearcher(address researcher, uint64 accreditedUntil) external;

    /**
     * @notice Revokes `researcher`'s accreditation at once.
     * @dev Callable by the researcher's institution or by a governor.
     * Emits {ResearcherAccreditationRevoked}.
     */
    function revokeAccreditation(address researcher) external;

    /// @notice Whether `researcher` is accredited by a member institution at the current block.
    function isAccredited(address researcher) external view returns (bool);

    /// @notice The institution `researcher` is bound to, or the zero address.
    function institutionOf(address researcher) external view returns (address);

    /// @notice Whether `institution` is a consortium member.
    function isInstitution(address institution) external view returns (bool);

    /// @notice Unix time in seconds until which `researcher` is accredited (0 when never accredited).
    function accreditedUntil(address researcher) external view returns (uint64);
}
