// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IConsortiumRegistry} from "./interfaces/IConsortiumRegistry.sol";

/**
 * @title Consortium registry
 * @notice Roles of the consortium, held in the contract so that they apply on any EVM chain.
 * Which nodes may join the network stays with the node software's own permissioning.
 * @dev NOTE: the governor set is fixed at deployment. The admin of GOVERNOR_ROLE is
 * DEFAULT_ADMIN_ROLE, which no account holds, so a single governor cannot bypass the
 * k-of-n threshold by granting the role to accomplices. Governors appoint custodians and auditors.
 */
contract ConsortiumRegistry is AccessControl, IConsortiumRegistry {
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    bytes32 public constant CUSTODIAN_ROLE = keccak256("CUSTODIAN_ROLE");
    bytes32 public constant AUDITOR_ROLE = keccak256("AUDITOR_ROLE");

    struct Institution {
        bool active;
        // Bumped on every admission and removal, so approvals for an earlier round never count again.
        uint64 epoch;
    }

    struct Accreditation {
        address institution;
        uint64 accreditedUntil;
    }

    /// @notice Number of governor approvals needed to admit or remove an institution.
    uint256 public immutable approvalThreshold;

    mapping(address institution => Institution) private _institutions;
    mapping(address researcher => Accreditation) private _accreditations;
    mapping(bytes32 proposalId => mapping(address governor => bool)) private _approved;
    mapping(bytes32 proposalId => uint256) private _approvalCount;

    /**
     * @param governors Accounts that approve institution admission and removal.
     * @param threshold Approvals needed, between 1 and `governors.length`.
     */
    constructor(address[] memory governors, uint256 threshold) {
        if (threshold == 0 || threshold > governors.length) {
            revert ConsortiumRegistryInvalidThreshold(threshold, governors.length);
        }

        approvalThreshold = threshold;
        _setRoleAdmin(CUSTODIAN_ROLE, GOVERNOR_ROLE);
        _setRoleAdmin(AUDITOR_ROLE, GOVERNOR_ROLE);
        for (uint256 i = 0; i < governors.length; ++i) {
            if (governors[i] == address(0)) revert ConsortiumRegistryZeroAddress();
            _grantRole(GOVERNOR_ROLE, governors[i]);
        }
    }

    /// @inheritdoc IConsortiumRegistry
    function approveInstitutionAdmission(address institution) external onlyRole(GOVERNOR_ROLE) {
        if (institution == address(0)) revert ConsortiumRegistryZeroAddress();
        if (_institutions[institution].active) revert ConsortiumRegistryInstitutionAlreadyActive(institution);

        if (_recordApproval(institution, GovernanceAction.Admit)) {
            _institutions[institution] = Institution({active: true, epoch: _institutions[institution].epoch + 1});
            emit InstitutionAdmitted(institution);
        }
    }

    /// @inheritdoc IConsortiumRegistry
    function approveInstitutionRemoval(address institution) external onlyRole(GOVERNOR_ROLE) {
        if (!_institutions[institution].active) revert ConsortiumRegistryInstitutionNotActive(institution);

        if (_recordApproval(institution, GovernanceAction.Remove)) {
            _institutions[institution] = Institution({active: false, epoch: _institutions[institution].epoch + 1});
            emit InstitutionRemoved(institution);
        }
    }

    /// @inheritdoc IConsortiumRegistry
    function accreditResearcher(address researcher, uint64 until) external {
        if (researcher == address(0)) revert ConsortiumRegistryZeroAddress();
        if (!_institutions[msg.sender].active) revert ConsortiumRegistryInstitutionNotActive(msg.sender);
        if (until <= block.timestamp) revert ConsortiumRegistryAccreditationExpired(researcher, until);
        Accreditation storage current = _accreditations[researcher];
        if (current.institution != msg.sender && isAccredited(researcher)) {
            revert ConsortiumRegistryResearcherBoundElsewhere(researcher, current.institution);
        }

        _accreditations[researcher] = Accreditation({institution: msg.sender, accreditedUntil: until});
        emit ResearcherAccredited(researcher, msg.sender, until);
    }

    /// @inheritdoc IConsortiumRegistry
    function revokeAccreditation(address researcher) external {
        address institution = _accreditations[researcher].institution;
        if (institution == address(0) || (msg.sender != institution && !hasRole(GOVERNOR_ROLE, msg.sender))) {
            revert ConsortiumRegistryNotResearcherInstitution(researcher, msg.sender);
        }

        _accreditations[researcher].accreditedUntil = 0;
        emit ResearcherAccreditationRevoked(researcher, institution, msg.sender);
    }

    /// @inheritdoc IConsortiumRegistry
    function isAccredited(address researcher) public view returns (bool) {
        Accreditation storage accreditation = _accreditations[researcher];
        return _institutions[accreditation.institution].active && block.timestamp <= accreditation.accreditedUntil;
    }

    /// @inheritdoc IConsortiumRegistry
    function institutionOf(address researcher) external view returns (address) {
        return _accreditations[researcher].institution;
    }

    /// @inheritdoc IConsortiumRegistry
    function isInstitution(address institution) external view returns (bool) {
        return _institutions[institution].active;
    }

    /// @inheritdoc IConsortiumRegistry
    function accreditedUntil(address researcher) external view returns (uint64) {
        return _accreditations[researcher].accreditedUntil;
    }

    /// @dev Counts the caller's approval and returns true when it reaches the threshold.
    function _recordApproval(address institution, GovernanceAction action) private returns (bool) {
        bytes32 proposalId = keccak256(abi.encode(action, institution, _institutions[institution].epoch));
        if (_approved[proposalId][msg.sender]) {
            revert ConsortiumRegistryAlreadyApproved(msg.sender, institution, action);
        }

        _approved[proposalId][msg.sender] = true;
        uint256 approvals = ++_approvalCount[proposalId];
        emit InstitutionActionApproved(institution, msg.sender, action, approvals);
        return approvals == approvalThreshold;
    }
}
